// The page's tools, driven by pages/tools.json: validation and the two declarative kinds
// (style tools and read tools), plus a registry for tools a page implements itself.

const MAX_HTML_CHARS = 32_000;
const MAX_ECHO_CHARS = 80;

const toolState = {
  registry: new Map(),
};

/** Fetches tools.json (next to this module) and returns its `tools` array. */
export async function loadTools(url = new URL("tools.json", import.meta.url)) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`could not load tools.json: HTTP ${response.status}`);
  const data = await response.json();
  if (!Array.isArray(data?.tools)) throw new Error("tools.json has no \"tools\" array");
  return data.tools;
}

/** The definitions as sent in session.update: only type, name, description, parameters. */
export function sessionTools(defs) {
  return defs.map(({ type, name, description, parameters }) => ({
    type,
    name,
    description,
    parameters,
  }));
}

/** Lets a page implement a tool whose x-bridge is neither a style nor a read tool. */
export function registerTool(name, fn) {
  if (typeof fn !== "function") {
    throw new TypeError(`registerTool("${name}"): the implementation must be a function`);
  }
  toolState.registry.set(name, fn);
}

/** Returns null when `args` fit the tool's parameters, else a message saying what is wrong. */
export function validateArguments(def, args) {
  if (!isPlainObject(args)) return "arguments must be a JSON object";
  const schema = def.parameters ?? { type: "object", properties: {} };
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);

  if (schema.additionalProperties === false) {
    for (const key of Object.keys(args)) {
      if (!Object.hasOwn(properties, key)) {
        const accepted = names.length ? `it takes: ${names.join(", ")}` : "it takes no arguments";
        return `unexpected argument "${echo(key)}" for ${def.name}; ${accepted}`;
      }
    }
  }
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(args, key)) return `missing required argument "${key}" for ${def.name}`;
  }
  if (Array.isArray(schema.anyOf)) {
    const satisfied = schema.anyOf.some((branch) =>
      (branch.required ?? []).every((key) => Object.hasOwn(args, key)),
    );
    if (!satisfied) {
      const choices = [...new Set(schema.anyOf.flatMap((branch) => branch.required ?? []))];
      return `${def.name} needs at least one of: ${choices.join(", ")}`;
    }
  }
  for (const [key, value] of Object.entries(args)) {
    if (Object.hasOwn(properties, key)) {
      const problem = checkValue(key, properties[key], value);
      if (problem) return problem;
    }
  }
  return checkStyleValues(def, args);
}

/**
 * Runs one tool call and returns a plain result object; never throws.
 * `argumentsJson` is the call's `arguments` string (an already parsed object is accepted too).
 */
export function runTool(defs, name, argumentsJson) {
  try {
    const def = defs.find((candidate) => candidate.name === name);
    if (!def) {
      const available = defs.map((candidate) => candidate.name).join(", ");
      return { ok: false, error: `unknown tool "${echo(String(name))}"; available: ${available}` };
    }
    const parsed = parseArguments(argumentsJson);
    if (parsed.error) return { ok: false, error: parsed.error };
    const problem = validateArguments(def, parsed.args);
    if (problem) return { ok: false, error: problem };
    const spec = def["x-bridge"] ?? {};
    if (spec.read === "html") return readPageHtml();
    if (spec.target && spec.style) return applyStyle(def.name, spec, parsed.args);
    if (toolState.registry.has(name)) return runRegistered(name, parsed.args);
    return { ok: false, error: `${name} has no implementation on this page` };
  } catch (err) {
    return { ok: false, error: `${name} failed: ${messageOf(err)}` };
  }
}

function parseArguments(argumentsJson) {
  if (isPlainObject(argumentsJson)) return { args: argumentsJson };
  if (typeof argumentsJson !== "string") {
    const got = typeName(argumentsJson);
    return { error: `arguments are not valid JSON: expected a string, got ${got}` };
  }
  // Some upstreams send "" rather than "{}" for a call without arguments.
  if (argumentsJson.trim() === "") return { args: {} };
  let args;
  try {
    args = JSON.parse(argumentsJson);
  } catch (err) {
    return { error: `arguments are not valid JSON: ${messageOf(err)}` };
  }
  if (!isPlainObject(args)) {
    return { error: `arguments are not valid JSON: expected an object, got ${typeName(args)}` };
  }
  return { args };
}

function checkValue(key, schema, value) {
  const expected = schema.type;
  const fits = {
    string: () => typeof value === "string",
    number: () => typeof value === "number" && Number.isFinite(value),
    integer: () => Number.isInteger(value),
    boolean: () => typeof value === "boolean",
    object: () => isPlainObject(value),
    array: () => Array.isArray(value),
  };
  if (expected && fits[expected] && !fits[expected]()) {
    const article = /^[aeiou]/.test(expected) ? "an" : "a";
    return `argument "${key}" must be ${article} ${expected}, got ${typeName(value)}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return `argument "${key}" must be one of: ${schema.enum.join(", ")}`;
  }
  return null;
}

// A value goes into el.style only if the browser's own CSS parser accepts it for that property;
// this is what keeps "red; background:url(x)" or "expression(...)" out of the page.
function checkStyleValues(def, args) {
  const spec = def["x-bridge"] ?? {};
  for (const [arg, property] of Object.entries(spec.style ?? {})) {
    if (!Object.hasOwn(args, arg)) continue;
    const value = args[arg];
    const keywords = spec.relative?.[arg] ?? {};
    if (typeof value === "string" && Object.hasOwn(keywords, normalise(value))) continue;
    const text = String(value).trim();
    // CSS.supports accepts anything containing var(); its value is unknown until it computes.
    const acceptable = text !== "" && !/var\(/i.test(text) && CSS.supports(property, text);
    if (!acceptable) {
      const alternatives = Object.keys(keywords);
      const hint = alternatives.length ? ` (or one of: ${alternatives.join(", ")})` : "";
      return `"${echo(String(value))}" is not a valid CSS ${property} value for "${arg}"${hint}`;
    }
  }
  return null;
}

function applyStyle(name, spec, args) {
  const el = document.querySelector(spec.target);
  if (!el) return { ok: false, error: `${name}: the page has no element matching ${spec.target}` };
  // Every value is resolved before any is set, so a call either applies fully or not at all.
  const changes = Object.entries(spec.style)
    .filter(([arg]) => Object.hasOwn(args, arg))
    .map(([arg, property]) => {
      const value = resolveStyleValue(el, property, args[arg], spec.relative?.[arg] ?? {});
      return { arg, property, value };
    });
  const applied = {};
  for (const { arg, property, value } of changes) {
    el.style.setProperty(property, value);
    applied[arg] = value;
  }
  return { ok: true, applied };
}

function resolveStyleValue(el, property, value, keywords) {
  const keyword = normalise(value);
  if (!Object.hasOwn(keywords, keyword)) return String(value).trim();
  const current = parseFloat(getComputedStyle(el).getPropertyValue(property));
  if (!Number.isFinite(current)) {
    throw new Error(`the current ${property} is not a number, so "${keyword}" has no meaning`);
  }
  // Rounded so that repeated bigger/smaller do not accumulate float noise like 10.240000000000002.
  return `${Math.round(current * keywords[keyword] * 100) / 100}px`;
}

function readPageHtml() {
  const clone = document.documentElement.cloneNode(true);
  for (const el of clone.querySelectorAll("[data-bridge-volatile]")) {
    el.replaceChildren();
  }
  const full = clone.outerHTML;
  if (full.length <= MAX_HTML_CHARS) {
    return { ok: true, html: full, length: full.length, truncated: false };
  }
  let end = MAX_HTML_CHARS;
  const last = full.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end -= 1; // never split a surrogate pair
  }
  return {
    ok: true,
    html: full.slice(0, end),
    length: full.length,
    truncated: true,
    note: `the page's HTML is ${full.length} characters; only the first ${end} are included`,
  };
}

function runRegistered(name, args) {
  const fail = (err) => ({ ok: false, error: `${name} failed: ${messageOf(err)}` });
  const asResult = (value) =>
    isPlainObject(value) && typeof value.ok === "boolean" ? value : { ok: true, result: value };
  const value = toolState.registry.get(name)(args);
  if (value && typeof value.then === "function") return Promise.resolve(value).then(asResult, fail);
  return asResult(value);
}

function normalise(keyword) {
  return String(keyword).trim().toLowerCase();
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function typeName(value) {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

function echo(text) {
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text;
}

function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}
