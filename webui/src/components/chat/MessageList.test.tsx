// @vitest-environment jsdom
import "fake-indexeddb/auto";
import { act, cleanup, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderStats, resetRenderStats } from "../../lib/renderStats";
import { appendMessage, newChat, patchMessage } from "../../stores/chats";
import { freshStores } from "../../test/stores";
import { MessageList } from "./MessageList";

beforeEach(async () => {
  await freshStores();
});
afterEach(cleanup);

describe("MessageList re-renders", () => {
  it("does not re-render the list or finished messages while one message streams", async () => {
    const chatId = await newChat("m");
    for (let i = 0; i < 5; i++) {
      await appendMessage({
        chatId,
        role: i % 2 ? "assistant" : "user",
        content: `finished ${i}`,
        status: "done",
      });
    }
    const live = await appendMessage({ chatId, role: "assistant", content: "", status: "streaming" });
    render(<MessageList chatId={chatId} />);
    resetRenderStats();
    let text = "";
    for (let i = 0; i < 200; i++) {
      text += `word${i} `;
      await act(async () => {
        await patchMessage(chatId, live.id, { content: text }, false);
      });
    }
    expect(renderStats.messageListCommits).toBe(0);
    expect(renderStats.finishedMessageCommits).toBe(0);
    expect(renderStats.liveMessageCommits).toBe(200);
    await act(async () => {
      await patchMessage(chatId, live.id, { status: "done" });
    });
    expect(renderStats.messageListCommits).toBe(0);
    expect(renderStats.finishedMessageCommits).toBe(1); // the reply itself, now finished
  });

  it("re-renders the list when a message is added", async () => {
    const chatId = await newChat("m");
    render(<MessageList chatId={chatId} />);
    resetRenderStats();
    await act(async () => {
      await appendMessage({ chatId, role: "user", content: "hi", status: "done" });
    });
    expect(renderStats.messageListCommits).toBe(1);
  });
});
