// The viewer's own MFA: its status, and the enrolment — POST enroll, the otpauth:// URI as a QR code with the
// secret for typing by hand, a code field, POST confirm, then the recovery codes, shown once. While an
// enrolment is open the panel's reload leaves it alone, so the timer never wipes a half-typed code.

import type { MfaEnrollment, MfaRecoveryCodes, MfaStatus } from "../../../api/types/mfa-api.js";
import { ApiFailure, callApi, type Session } from "./api.js";
import type { Panel } from "./panel.js";
import { dashboardPaths } from "./paths.js";
import { qrCode } from "./qr.js";
import { qrSvg } from "./svg.js";
import { badge, el, localTime } from "./view.js";

const failure = (err: unknown) => (err instanceof ApiFailure ? err.message : "The server could not be reached.");

function button(id: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el("button", { text });
  b.type = "button";
  b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

function statusView(status: MfaStatus): HTMLElement {
  if (status.enabled) {
    const since = status.enabledAt ? ` since ${localTime(Date.parse(status.enabledAt))}` : "";
    return el("p", { className: "mfa-status" }, [badge("enabled", "ok"), el("span", { text: ` TOTP is on${since}; ${status.recoveryCodesLeft} recovery code${status.recoveryCodesLeft === 1 ? "" : "s"} left.` })]);
  }
  const locked = status.lockedUntil ? [el("p", { className: "note", text: `Wrong codes locked logins until ${localTime(Date.parse(status.lockedUntil))}.` })] : [];
  return el("div", { className: "mfa-status" }, [el("p", {}, [badge("off", "warn"), el("span", { text: status.pending ? " An enrolment was started and not confirmed." : " Logins need only the password." })]), ...locked]);
}

export function mfaPanel(): Panel {
  const root = el("div");
  // True from "Enable MFA" until the recovery codes are put away: reloads leave the panel as it is.
  let enrolling = false;

  const showStatus = async (session: Session) => {
    const status = await callApi<MfaStatus>(dashboardPaths.mfaStatus(session.username), { session });
    if (enrolling) return;
    const error = el("p", { className: "error", text: "" });
    const actions = status.enabled ? [] : [button("mfa-enable", "Enable MFA", () => enrol(session, error)), error];
    root.replaceChildren(statusView(status), ...actions);
  };

  const showRecoveryCodes = (session: Session, codes: MfaRecoveryCodes) => {
    root.replaceChildren(
      el("p", {}, [badge("enabled", "ok"), el("span", { text: " MFA is on. Store these recovery codes now: each works once, and they are not shown again." })]),
      el("ul", { className: "recovery-codes" }, codes.recoveryCodes.map((c) => el("li", {}, [el("code", { text: c })]))),
      button("mfa-done", "I have stored them", () => {
        enrolling = false;
        showStatus(session).catch((err: unknown) => root.replaceChildren(el("p", { className: "error", text: failure(err) })));
      }),
    );
  };

  const showEnrolment = (session: Session, enrolment: MfaEnrollment) => {
    const code = el("input");
    code.id = "mfa-enrol-code";
    code.inputMode = "numeric";
    code.autocomplete = "one-time-code";
    code.pattern = "[0-9]{6}";
    code.required = true;
    const error = el("p", { className: "error", text: "" });
    error.setAttribute("role", "alert");
    const form = el("form", { className: "mfa-confirm" }, [el("label", { text: "Code from the app " }, [code]), el("button", { text: "Turn MFA on" }), error]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      callApi<MfaRecoveryCodes>(dashboardPaths.mfaConfirm(session.username), { session, method: "POST", json: { code: code.value.trim() } }).then((codes) => showRecoveryCodes(session, codes), (err: unknown) => {
        error.textContent = failure(err);
      });
    });
    root.replaceChildren(
      el("p", { className: "note", text: "Scan the code with an authenticator app, or type the secret into it by hand." }),
      qrSvg(qrCode(enrolment.uri)),
      el("p", {}, [el("span", { text: "Secret: " }), el("code", { className: "mfa-secret", text: enrolment.secret })]),
      el("p", { className: "note" }, [el("span", { text: "URI: " }), el("code", { className: "mfa-uri", text: enrolment.uri })]),
      form,
      button("mfa-cancel", "Cancel", () => {
        enrolling = false;
        showStatus(session).catch((err: unknown) => root.replaceChildren(el("p", { className: "error", text: failure(err) })));
      }),
    );
    code.focus();
  };

  const enrol = (session: Session, error: HTMLElement) => {
    enrolling = true;
    callApi<MfaEnrollment>(dashboardPaths.mfaEnroll(session.username), { session, method: "POST", json: {} }).then(
      (enrolment) => showEnrolment(session, enrolment),
      (err: unknown) => {
        enrolling = false;
        error.textContent = failure(err);
      },
    );
  };

  return {
    id: "mfa",
    title: "Your MFA",
    everyMs: 30_000,
    async load(session) {
      if (!enrolling) await showStatus(session);
      return root;
    },
  };
}
