  // --- instrument part: what the DOM did while the page ran a tool call -------------------
  // (joined into core.js by page.py; shares its scope)
  //
  // A watch starts at the first server event that names a function call and observes the
  // whole document until the bridge takes it: changes a page renders just after sending its
  // output (a framework's next frame) still count, and `outputAtMs` / `afterOutput` say which
  // came after. At most CONFIG.maxWatches are open (the oldest is let go), and a watch nobody
  // takes stops observing after WATCH_MAX_MS, so a page that floods calls cannot leak
  // observers.
  const WATCH_MAX_MS = 120_000;
  const MAX_SAMPLES = 8;
  const MAX_SAMPLE_CHARS = 160;
  const CALL_EVENTS = new Set(["response.output_item.added", "response.output_item.done",
    "response.function_call_arguments.delta", "response.function_call_arguments.done"]);
  const NativeMutationObserver = window.MutationObserver;

  const tools = {
    watches: new Map(), // callId -> watch, oldest first

    serverEvent(event) {
      if (!CONFIG.watchTools || !CALL_EVENTS.has(event.type)) return;
      const item = event.item;
      const isItem = event.type.startsWith("response.output_item.");
      if (isItem && item?.type !== "function_call") return;
      const callId = isItem ? item.call_id : event.call_id;
      if (typeof callId !== "string" || !callId) return;
      const name = (isItem ? item.name : event.name) ?? null;
      const known = this.watches.get(callId);
      if (known) {
        known.summary.name ??= typeof name === "string" ? name : null;
        return;
      }
      while (this.watches.size >= CONFIG.maxWatches) {
        const [oldest, watch] = this.watches.entries().next().value;
        watch.stop();
        this.watches.delete(oldest);
      }
      this.watches.set(callId, watchMutations(callId, typeof name === "string" ? name : null));
    },

    clientEvent(event) {
      const item = event.item;
      if (item?.type === "function_call_output" && typeof item.call_id === "string") {
        const watch = this.watches.get(item.call_id);
        if (watch && watch.summary.outputAtMs === null) {
          // What the tool did just before sending is still queued for the observer's callback.
          watch.catchUp();
          watch.summary.outputAtMs = epochMs();
        }
      }
    },

    take(callId) {
      const watch = this.watches.get(callId);
      if (!watch) return null;
      this.watches.delete(callId);
      watch.stop();
      return { ...watch.summary, samples: [...watch.summary.samples], takenAtMs: epochMs() };
    },
  };

  // How many elements each of the tool's count selectors matches now, before the page runs
  // the call (its own handler runs after the instrument's capture listener).
  let countSelectors = CONFIG.countSelectors ?? {};

  function countsFor(name) {
    const counts = {};
    for (const selector of countSelectors[name] ?? []) {
      try {
        counts[selector] = document.querySelectorAll(selector).length;
      } catch {
        // not a CSS selector: the bridge counts it itself
      }
    }
    return counts;
  }

  function watchMutations(callId, name) {
    const summary = { callId, name, added: 0, removed: 0, attributes: 0, styles: 0, text: 0,
      afterOutput: 0, samples: [], startedAtMs: epochMs(), outputAtMs: null,
      lastChangeAtMs: null, complete: true, baseline: countsFor(name) };
    const sample = (line) => {
      if (summary.samples.length < MAX_SAMPLES) summary.samples.push(line.slice(0, MAX_SAMPLE_CHARS));
    };
    const count = (records) => {
      const before = summary.added + summary.removed + summary.attributes + summary.styles
        + summary.text;
      for (const record of records) summarise(summary, record, sample);
      const changes = summary.added + summary.removed + summary.attributes + summary.styles
        + summary.text - before;
      if (changes) {
        summary.lastChangeAtMs = epochMs();
        if (summary.outputAtMs !== null) summary.afterOutput += changes;
      }
    };
    const observer = new NativeMutationObserver(count);
    observer.observe(document, { subtree: true, childList: true, attributes: true,
      characterData: true });
    const expiry = setTimer(() => {
      summary.complete = false;
      stop();
    }, WATCH_MAX_MS);
    let stopped = false;
    function stop() {
      if (stopped) return;
      stopped = true;
      clearTimer(expiry);
      count(observer.takeRecords());
      observer.disconnect();
    }
    return { summary, stop, catchUp: () => count(observer.takeRecords()) };
  }

  // The bridge's own probes (a DOM check resolving a requested value) are not the page's doing.
  const PROBE = "data-rtc-bridge-probe";
  const isProbe = (node) => node.nodeType === Node.ELEMENT_NODE && node.hasAttribute(PROBE);

  function summarise(summary, record, sample) {
    if (isProbe(record.target)) return;
    if (record.type === "childList") {
      if ([...record.addedNodes, ...record.removedNodes].some(isProbe)) return;
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          summary.added += 1;
          sample(`added ${describe(node)} to ${describe(record.target)}`);
        } else if (node.nodeType === Node.TEXT_NODE) {
          summary.text += 1;
          sample(`text of ${describe(record.target)}: ${quoted(node.data)}`);
        }
      }
      for (const node of record.removedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          summary.removed += 1;
          sample(`removed ${describe(node)} from ${describe(record.target)}`);
        } else if (node.nodeType === Node.TEXT_NODE && !record.addedNodes.length) {
          summary.text += 1;
          sample(`text of ${describe(record.target)} removed`);
        }
      }
    } else if (record.type === "attributes") {
      const name = record.attributeName;
      const value = record.target.getAttribute?.(name);
      if (name === "style") summary.styles += 1;
      else summary.attributes += 1;
      sample(`${name} of ${describe(record.target)}: ${value === null ? "removed" : quoted(value)}`);
    } else if (record.type === "characterData") {
      summary.text += 1;
      sample(`text of ${describe(record.target.parentNode)}: ${quoted(record.target.data)}`);
    }
  }

  function quoted(value) {
    const text = String(value ?? "").replace(/\s+/g, " ").trim();
    return stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  }

  function describe(node) {
    if (!node) return "?";
    if (node.nodeType !== Node.ELEMENT_NODE) return node.nodeName.toLowerCase();
    const id = node.id ? `#${node.id}` : "";
    const testId = node.getAttribute("data-testid");
    const classes = [...node.classList].slice(0, 2).map((name) => `.${name}`).join("");
    return `${node.localName}${id}${classes}${testId ? `[data-testid=${testId}]` : ""}`;
  }
