import { GitBranch } from "lucide-react";

/**
 * Said beside the model of a reply whose request the server carried into a new site session
 * (`replayed`): the chat was edited or switched model, or its session could not be continued.
 */
export function SessionNote() {
  return (
    <span
      className="inline-flex items-center gap-1"
      title="The earlier messages were carried into a new LMArena session: the chat was edited, its model changed, or its session could not be continued."
    >
      <GitBranch className="h-3 w-3" aria-hidden /> continued in a new session
    </span>
  );
}
