// The idle-timeout warning (WCAG 2.2.1) and keeping what was typed when it ends anyway.
//
// templates/includes/session_timeout.html renders a <dialog> with the server's
// timings: seconds until the session ends of idleness (data-expires-in), when to
// warn (data-warn-before) and when to end it (data-end-early before the end).
//
// - Warning: a modal dialog, "You will be signed out in 2 minutes", with the focus
//   on "Stay signed in" (which POSTs to accounts:session-stay and starts the
//   timer again). Escape does the same; the focus goes back where it was.
// - End: data-end-early seconds before, the page POSTs the open section's form,
//   if anything in it is not saved, to its data-session-keep-url (else just the
//   CSRF token to data-end-url). The server keeps what was typed and ends the
//   session, or says another tab kept it alive (then the timer starts again).
//   The dialog then says "You have been signed out" with a link to log in again.
//
// Nothing is written to the browser's storage: what was typed goes to the server.
const dialog = document.getElementById("session-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const warnBefore = Number(dialog.dataset.warnBefore);
  const endEarly = Number(dialog.dataset.endEarly);
  const warning = dialog.querySelector('[data-session-state="warning"]');
  const ended = dialog.querySelector('[data-session-state="ended"]');
  const stayForm = dialog.querySelector("form[data-session-stay]");
  const typingForm = document.querySelector("form[data-session-keep-url]");
  const asLoaded = typingForm ? fields(typingForm) : "";
  let timers = [];
  let returnFocusTo = null;

  function fields(form) {
    const data = new URLSearchParams(new FormData(form));
    data.delete("csrfmiddlewaretoken");
    return data.toString();
  }

  function inWords(seconds) {
    if (seconds >= 60) {
      const minutes = Math.round(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  }

  function schedule(seconds) {
    // setTimeout fires at once past 2^31 ms (about 24 days): never wait that long.
    const expiresIn = Math.min(seconds, 24 * 60 * 60);
    timers.forEach(clearTimeout);
    const warnAfter = Math.max(0, expiresIn - warnBefore);
    const endAfter = Math.max(0, expiresIn - endEarly);
    timers = [
      setTimeout(() => warn(expiresIn - warnAfter), warnAfter * 1000),
      setTimeout(end, endAfter * 1000),
    ];
  }

  function warn(secondsLeft) {
    dialog.querySelector("[data-session-countdown]").textContent = inWords(secondsLeft);
    warning.hidden = false;
    ended.hidden = true;
    if (!dialog.open) {
      returnFocusTo = document.activeElement;
      dialog.showModal();
    }
    stayForm.querySelector("button").focus();
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocusTo && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function showEnded(kept) {
    timers.forEach(clearTimeout);
    warning.hidden = true;
    ended.hidden = false;
    ended.querySelector("[data-session-kept]").hidden = !kept;
    dialog.setAttribute("aria-labelledby", "session-ended-title");
    dialog.setAttribute("aria-describedby", "session-ended-text");
    if (!dialog.open) {
      dialog.showModal();
    }
    ended.querySelector("h2").focus();
  }

  async function post(url, body, keepalive) {
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        // Signed out already: the login page's redirect is not followed.
        redirect: "manual",
        keepalive,
      });
      if (response.ok && response.headers.get("Content-Type") === "application/json") {
        return await response.json();
      }
    } catch {
      // The network is down: the session ends on the server all the same.
    }
    return null;
  }

  async function stay() {
    const answer = await post(stayForm.action, new URLSearchParams(new FormData(stayForm)));
    if (answer) {
      close();
      schedule(answer.expires_in);
    } else {
      showEnded(false);
    }
  }

  async function end() {
    const typed =
      typingForm &&
      (typingForm.hasAttribute("data-session-unsaved") || fields(typingForm) !== asLoaded);
    const body = new URLSearchParams(new FormData(typed ? typingForm : stayForm));
    // A keepalive request may carry 64 KB at most; the server refuses more anyway.
    const answer = await post(
      typed ? typingForm.dataset.sessionKeepUrl : dialog.dataset.endUrl,
      body,
      body.toString().length < 60000,
    );
    if (answer && answer.ended === false) {
      close();
      schedule(answer.expires_in);
    } else {
      showEnded(Boolean(answer && answer.kept));
    }
  }

  stayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    stay();
  });

  // Escape on the warning counts as "Stay signed in"; on "signed out" it just closes.
  dialog.addEventListener("cancel", (event) => {
    if (!warning.hidden) {
      event.preventDefault();
      stay();
    }
  });

  schedule(Number(dialog.dataset.expiresIn));
}
