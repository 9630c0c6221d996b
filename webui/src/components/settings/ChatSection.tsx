import { useEffect, useState } from "react";
import { clampMaxChats } from "../../lib/prune";
import { chatsOverLimit, describeChats, setMaxChats } from "../../stores/chats";
import { updateSettings, useSettings } from "../../stores/settings";
import { notify } from "../../stores/ui";
import type { SendKey } from "../../types";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { RadioGroup } from "../ui/RadioGroup";
import { Switch } from "../ui/Switch";

const SEND_KEYS = [
  { value: "enter", label: "Enter" },
  { value: "ctrl-enter", label: "Ctrl+Enter" },
] as const;

function MaxChatsField() {
  const maxChats = useSettings((s) => s.maxChats);
  const [value, setValue] = useState(String(maxChats));
  const [pending, setPending] = useState<{ limit: number; count: number } | null>(null);
  useEffect(() => setValue(String(maxChats)), [maxChats]);

  const apply = async (limit: number): Promise<void> => {
    const pruned = await setMaxChats(limit);
    if (pruned.length) notify(`Deleted ${describeChats(pruned)}`, "info", 6000);
  };

  const submit = (): void => {
    const limit = clampMaxChats(Number(value));
    setValue(String(limit));
    if (limit === maxChats) return;
    const count = chatsOverLimit(limit).length;
    if (count > 0) setPending({ limit, count });
    else void apply(limit);
  };

  return (
    <div>
      <label htmlFor="max-chats" className="text-sm font-medium">
        Chats to keep
      </label>
      <p id="max-chats-desc" className="text-xs text-muted">
        Beyond this number, the least recently used chats are deleted (you are told which). Empty chats do not
        count; pinned and open chats are never deleted.
      </p>
      <form
        className="mt-2 flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <input
          id="max-chats"
          type="number"
          min={1}
          max={1000}
          inputMode="numeric"
          value={value}
          aria-describedby="max-chats-desc"
          onChange={(e) => setValue(e.target.value)}
          className="field w-28"
        />
        <button type="submit" className="btn-secondary" disabled={Number(value) === maxChats}>
          Apply
        </button>
      </form>
      <ConfirmDialog
        open={pending !== null}
        title="Delete older chats?"
        message={`Keeping ${pending?.limit ?? 0} chats deletes the ${pending?.count ?? 0} least recently used one${(pending?.count ?? 0) > 1 ? "s" : ""}.`}
        confirmLabel="Delete and apply"
        onConfirm={() => {
          if (pending) void apply(pending.limit);
          setPending(null);
        }}
        onCancel={() => {
          setPending(null);
          setValue(String(maxChats));
        }}
      />
    </div>
  );
}

export function ChatSection() {
  const streaming = useSettings((s) => s.streaming);
  const sendKey = useSettings((s) => s.sendKey);
  return (
    <div className="space-y-5">
      <Switch
        id="streaming"
        label="Stream replies"
        description="Show replies as they are written. Off: wait for the whole reply."
        checked={streaming}
        onChange={(value) => void updateSettings({ streaming: value })}
      />
      <RadioGroup<SendKey>
        name="send-key"
        legend="Send with"
        value={sendKey}
        options={SEND_KEYS}
        onChange={(value) => void updateSettings({ sendKey: value })}
      />
      <MaxChatsField />
    </div>
  );
}
