import { describe, expect, it } from "vitest";
import type { SessionRow, SignInRow } from "../../src/core/fleet/store.js";
import { DIALECTS, useHarness } from "./harness.js";

const session: SessionRow = {
  idHash: "a".repeat(64),
  organization: "default",
  subject: "user-1",
  username: "alice@example.com",
  groups: ["team-a-admins", "staff"],
  csrfToken: "csrf-1",
  createdAt: "2026-01-01T00:00:00.000Z",
  lastSeenAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2026-01-01T12:00:00.000Z",
};

const signIn: SignInRow = {
  idHash: "b".repeat(64),
  state: "state-1",
  nonce: "nonce-1",
  codeVerifier: "verifier-1",
  returnTo: "#/policies",
  createdAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2026-01-01T00:10:00.000Z",
};

/** Sign-in sessions in the database (schema 3), both dialects: what replicas share. */
describe.each(DIALECTS)("sessions (%s)", (dialect) => {
  const h = useHarness(dialect);

  it("stores, finds, touches and deletes a session", async () => {
    const { store } = await h.fresh();
    await store.createSession(session);
    expect(await store.findSession(session.idHash)).toEqual(session);
    await store.touchSession(session.idHash, "2026-01-01T01:00:00.000Z");
    expect((await store.findSession(session.idHash))?.lastSeenAt).toBe("2026-01-01T01:00:00.000Z");
    await store.deleteSession(session.idHash);
    expect(await store.findSession(session.idHash)).toBeUndefined();
  });

  it("hands a sign-in out once, even to two takers at once", async () => {
    const { store } = await h.fresh();
    await store.createSignIn(signIn);
    const [a, b] = await Promise.all([
      store.takeSignIn(signIn.idHash),
      store.takeSignIn(signIn.idHash),
    ]);
    expect([a, b].filter((x) => x !== undefined)).toEqual([signIn]);
    expect(await store.takeSignIn(signIn.idHash)).toBeUndefined();
  });

  it("prunes what ended before a time", async () => {
    const { store } = await h.fresh();
    await store.createSession(session);
    await store.createSignIn(signIn);
    expect(await store.pruneSessions("2026-01-01T00:05:00.000Z")).toBe(0);
    expect(await store.pruneSessions("2026-01-01T00:30:00.000Z")).toBe(1);
    expect(await store.findSession(session.idHash)).toBeDefined();
    expect(await store.pruneSessions("2026-01-02T00:00:00.000Z")).toBe(1);
    expect(await store.findSession(session.idHash)).toBeUndefined();
  });
});
