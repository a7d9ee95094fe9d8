// The dashboard's entry: the login form (with a one-time code field when the server asks for one), then every
// panel loaded and reloaded on its own timer. The session lives in this module's memory only — never in
// localStorage, sessionStorage or a cookie — so a reload logs out, and no other site can make a request with it.

import type { SessionToken, WhoAmI } from "../../../api/types/auth-api.js";
import { ApiFailure, callApi, type Session } from "./api.js";
import { needsMfaCode } from "./model.js";
import { dashboardPanels, type Panel } from "./panels.js";
import { dashboardPaths } from "./paths.js";
import { el } from "./view.js";

const byId = <T extends HTMLElement>(id: string, type: new () => T): T => {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
};

interface Running {
  session: Session;
  timers: number[];
  panels: Panel[];
  stopped: boolean;
}

let running: Running | undefined;

function showLogin(message = ""): void {
  byId("login", HTMLElement).hidden = false;
  byId("board", HTMLElement).hidden = true;
  byId("login-error", HTMLElement).textContent = message;
}

async function submitLogin(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const username = byId("username", HTMLInputElement).value.trim();
  const password = byId("password", HTMLInputElement);
  const code = byId("mfa-code", HTMLInputElement);
  const codeRow = byId("mfa-row", HTMLElement);
  byId("login-error", HTMLElement).textContent = "";
  try {
    const token = await callApi<SessionToken>(dashboardPaths.login, { method: "POST", json: { username, password: password.value, ...(codeRow.hidden ? {} : { code: code.value.trim() }) } });
    password.value = "";
    code.value = "";
    code.required = false;
    codeRow.hidden = true;
    delete codeRow.dataset.asked;
    await start({ token: token.token, username: token.username });
  } catch (err) {
    if (err instanceof ApiFailure && needsMfaCode(err.status, err.body)) {
      codeRow.hidden = false;
      code.required = true;
      code.focus();
      byId("login-error", HTMLElement).textContent = codeRow.dataset.asked ? "That code was not accepted; enter the current one." : "Enter the 6-digit code from your authenticator app, or a recovery code.";
      codeRow.dataset.asked = "yes";
      return;
    }
    byId("login-error", HTMLElement).textContent = err instanceof ApiFailure ? err.message : "The server could not be reached.";
  }
}

async function start(session: Session): Promise<void> {
  const me = await callApi<WhoAmI>(dashboardPaths.whoami, { session });
  stop();
  const current: Running = { session, timers: [], panels: dashboardPanels(), stopped: false };
  running = current;
  byId("login", HTMLElement).hidden = true;
  byId("board", HTMLElement).hidden = false;
  byId("viewer", HTMLElement).textContent = `${me.username} (${me.roles.join(", ") || "no roles"})`;
  const grid = byId("panels", HTMLElement);
  grid.replaceChildren();
  for (const panel of current.panels) {
    const body = el("div", { className: "panel-body", text: "Loading…" });
    const section = el("section", { className: "panel" }, [el("h2", { text: panel.title }), body]);
    section.id = `panel-${panel.id}`;
    grid.append(section);
    void cycle(current, panel, section, body);
  }
}

/** Loads a panel, shows the outcome, and schedules the next load; 401 ends the session for every panel. */
async function cycle(current: Running, panel: Panel, section: HTMLElement, body: HTMLElement): Promise<void> {
  if (current.stopped) return;
  try {
    const content = await panel.load(current.session);
    if (current.stopped) return;
    // A panel that keeps its own node (the MFA enrolment) is not re-inserted: that would drop the input's focus.
    if (body.childNodes.length !== 1 || body.firstChild !== content) body.replaceChildren(content);
    section.dataset.state = "ok";
  } catch (err) {
    if (current.stopped) return;
    if (err instanceof ApiFailure && err.status === 401) {
      stop();
      return showLogin("The session ended; log in again.");
    }
    const denied = err instanceof ApiFailure && err.status === 403;
    body.replaceChildren(el("p", { className: denied ? "denied" : "failed", text: denied ? "Not permitted." : "Unavailable." }), el("p", { className: "note", text: err instanceof Error ? err.message : String(err) }));
    section.dataset.state = denied ? "denied" : "failed";
  }
  current.timers.push(window.setTimeout(() => void cycle(current, panel, section, body), panel.everyMs));
}

function stop(): void {
  if (!running) return;
  running.stopped = true;
  for (const t of running.timers) window.clearTimeout(t);
  for (const p of running.panels) p.stop?.();
  running = undefined;
}

async function logout(): Promise<void> {
  const session = running?.session;
  stop();
  byId("panels", HTMLElement).replaceChildren();
  showLogin();
  // The token is dropped from memory either way; logging out also denies it on the server.
  if (session) await callApi(dashboardPaths.logout, { method: "POST", session, json: {} }).catch(() => undefined);
}

byId("login-form", HTMLFormElement).addEventListener("submit", (e) => void submitLogin(e));
byId("logout", HTMLButtonElement).addEventListener("click", () => void logout());
showLogin();
