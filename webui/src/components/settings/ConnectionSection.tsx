import { Eye, EyeOff } from "lucide-react";
import { useState } from "react";
import { loadModels } from "../../stores/models";
import { updateSettings, useSettings } from "../../stores/settings";
import { notify } from "../../stores/ui";

export function ConnectionSection() {
  const apiKey = useSettings((s) => s.apiKey);
  const [value, setValue] = useState(apiKey);
  const [visible, setVisible] = useState(false);
  const save = async (): Promise<void> => {
    await updateSettings({ apiKey: value.trim() });
    notify(value.trim() ? "API key saved" : "API key removed");
    void loadModels();
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label htmlFor="api-key" className="text-sm font-medium">
        API key
      </label>
      <p id="api-key-desc" className="text-xs text-muted">
        Needed only when the server sets LM_ARENA_API_KEYS. Sent as “Authorization: Bearer …”, stored in this
        browser.
      </p>
      <div className="mt-2 flex gap-2">
        <div className="relative flex-1">
          <input
            id="api-key"
            type={visible ? "text" : "password"}
            autoComplete="off"
            spellCheck={false}
            value={value}
            aria-describedby="api-key-desc"
            onChange={(e) => setValue(e.target.value)}
            placeholder="Not set"
            className="field pr-10 font-mono"
          />
          <button
            type="button"
            className="icon-btn absolute right-0.5 top-1/2 h-8 w-8 -translate-y-1/2"
            aria-label={visible ? "Hide API key" : "Show API key"}
            aria-pressed={visible}
            onClick={() => setVisible((v) => !v)}
          >
            {visible ? <EyeOff className="h-4 w-4" aria-hidden /> : <Eye className="h-4 w-4" aria-hidden />}
          </button>
        </div>
        <button type="submit" className="btn-primary" disabled={value.trim() === apiKey}>
          Save
        </button>
      </div>
    </form>
  );
}
