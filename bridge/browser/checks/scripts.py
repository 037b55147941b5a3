"""The JavaScript that declared checks run in the page (through Playwright's evaluate).

A watcher, shared by the reads and the waits of every check on a document, notes the time of the
page's last DOM change (a MutationObserver, ignoring the bridge's own probes, and the end of CSS
transitions and animations) under a symbol on `document`, so that a change that lands while a
read is under way is not missed by the wait that follows it. It stops by itself two seconds
after the last read or wait. Times are `performance.timeOrigin + performance.now()`, which
stays comparable across documents.
"""

from __future__ import annotations

__all__ = ["READ", "WAIT"]

_WATCH = """
  const now = () => performance.timeOrigin + performance.now();
  const watch = () => {
    const key = Symbol.for("rtc-bridge.dom-checks");
    let state = document[key];
    if (!state) {
      state = {changedAt: -1, wakes: new Set(), idle: 0};
      const probe = (n) => n.nodeType === 1 && n.hasAttribute("data-rtc-bridge-probe");
      const own = (r) => r.type === "childList"
        && [...r.addedNodes, ...r.removedNodes].every(probe);
      const changed = () => {
        state.changedAt = now();
        for (const wake of [...state.wakes]) wake();
      };
      const observer = new MutationObserver((records) => {
        if (!records.every(own)) changed();
      });
      observer.observe(document, {subtree: true, childList: true, attributes: true,
                                  characterData: true});
      addEventListener("transitionend", changed, true);
      addEventListener("animationend", changed, true);
      state.stop = () => {
        observer.disconnect();
        removeEventListener("transitionend", changed, true);
        removeEventListener("animationend", changed, true);
        delete document[key];
      };
      Object.defineProperty(document, key, {value: state, configurable: true});
    }
    clearTimeout(state.idle);
    state.idle = setTimeout(() => state.stop(), 2000);
    return state;
  };
"""

# Reads one selector's matches: the first match's computed styles (a requested value the
# bridge cannot compare as it is, such as 1.5em or bold, resolved by a probe element of the
# same kind in the same place, removed at once), attributes and value; which match contains
# each wanted text; and when the function ran (`at`; Playwright resolved the selector a moment
# before, in a step of its own). Lists come back in the order of the spec.
READ = """(elements, spec) => {""" + _WATCH + """
  try { watch(); } catch (err) { /* no watcher: the waits fall back on their clock */ }
  const out = {count: elements.length, at: now()};
  const collapse = (s) => String(s ?? "").replace(/\\s+/g, " ").trim();
  const short = (s) => (s.length > 200 ? s.slice(0, 199) + "\\u2026" : s);
  const textOf = (el) => collapse(el.innerText ?? el.textContent);
  const resolve = (el, prop, value) => {
    if (!CSS.supports(prop, value)) return null;
    const html = el.namespaceURI === "http://www.w3.org/1999/xhtml";
    const tag = ["HTML", "BODY"].includes(el.tagName) ? "div" : el.localName;
    const probe = html ? document.createElement(tag)
                       : document.createElementNS(el.namespaceURI, el.localName);
    probe.setAttribute("data-rtc-bridge-probe", "");
    const cls = el.getAttribute("class");
    if (cls) probe.setAttribute("class", cls);
    if (prop !== "font-size") probe.style.setProperty("font-size", getComputedStyle(el).fontSize);
    probe.style.setProperty(prop, value, "important");
    const parent = el.parentNode && el.parentNode.nodeType !== 9 ? el.parentNode
                                                                 : document.documentElement;
    try {
      parent.appendChild(probe);
      return getComputedStyle(probe).getPropertyValue(prop);
    } finally {
      probe.remove();
    }
  };
  const first = elements[0];
  if (first) {
    out.tag = first.localName;
    if (spec.styles.length) {
      const style = getComputedStyle(first);
      out.styles = spec.styles.map(([prop, value, probe]) => {
        const actual = style.getPropertyValue(prop);
        const same = collapse(actual) === collapse(value);
        return [actual, probe && !same ? resolve(first, prop, value) : null];
      });
    }
    out.attrs = spec.attrs.map((name) => first.getAttribute(name));
    if (spec.value) {
      const control = first.localName === "label" && first.control ? first.control : first;
      const field = ["input", "textarea", "select"].includes(control.localName);
      out.value = field ? control.value : null;
      out.valueTag = control.localName;
    }
    if (spec.texts.length) out.firstText = short(textOf(first));
  }
  out.texts = spec.texts.map((want) => {
    const needle = collapse(want);
    for (const el of elements) {
      const text = textOf(el);
      if (text.includes(needle)) return short(text);
    }
    return null;
  });
  return out;
}"""

# Resolves once the page has changed since `since` (the start of the last read; null: now), but
# not before `minMs` after it, else after `maxMs`: polling that costs nothing while the page is
# still, and sees at once a change that came during the read.
WAIT = """([since, minMs, maxMs]) => new Promise((resolve) => {""" + _WATCH + """
  const from = since ?? now();
  let timer = 0, state = null;
  const finish = (why) => {
    clearTimeout(timer);
    if (state) state.wakes.delete(check);
    resolve(why);
  };
  const check = () => {
    if (state.changedAt < from) return;
    state.wakes.delete(check);
    clearTimeout(timer);
    timer = setTimeout(() => finish("change"), Math.max(0, from + minMs - now()));
  };
  timer = setTimeout(() => finish("quiet"), maxMs);
  try {
    state = watch();
    state.wakes.add(check);
    check();
  } catch (err) { /* no watcher: the clock alone */ }
})"""
