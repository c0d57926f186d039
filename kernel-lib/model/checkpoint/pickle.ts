/**
 * A Python pickle reader (protocols 0–5, everything `torch.save` writes) that builds plain JS values and never
 * executes anything: globals resolve through a table of known constructors, and unknown classes become
 * {@link PyObject} records (dict/list subclasses keep their items), so exotic entries never stop a load.
 *
 * Mapping: None → null, bool → boolean, int → number (bigint beyond 2^53), float → number, str → string,
 * bytes → Uint8Array, list and tuple → Array, dict and OrderedDict → Map, set → Set.
 */

/** A reference to a Python global (class or function) that the reader does not know. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  /** `module.name`. */
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an unknown class: constructor arguments, `__setstate__` state, and dict/list items if any. */
export class PyObject {
  /** State given by BUILD (often a dict of attributes). */
  state: unknown = undefined;
  /** Items added by SETITEM(S), for dict subclasses (e.g. Lightning's `AttributeDict`). */
  readonly items = new Map<unknown, unknown>();
  /** Items added by APPEND(S), for list subclasses. */
  readonly list: unknown[] = [];
  constructor(readonly cls: PyGlobal, readonly args: unknown[]) {}
}

/** A known Python callable: the reader calls `fn(args)` for REDUCE and NEWOBJ. */
export class PyCallable {
  constructor(readonly qualname: string, readonly fn: (args: unknown[]) => unknown) {}
}

/** Hooks for {@link unpickle}. */
export interface UnpickleHooks {
  /** Resolve `module.name`; return undefined to fall back to the built-in table, then to a {@link PyGlobal}. */
  findGlobal?: (module: string, name: string) => unknown;
  /** Resolve a persistent id (torch storages); without it, PERSID opcodes are an error. */
  persistentLoad?: (pid: unknown) => unknown;
}

const toMap = (args: unknown[]): Map<unknown, unknown> => {
  const m = new Map<unknown, unknown>();
  const src = args[0];
  if (src instanceof Map) for (const [k, v] of src) m.set(k, v);
  else if (Array.isArray(src)) for (const kv of src) if (Array.isArray(kv)) m.set(kv[0], kv[1]);
  return m;
};
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

/** Decode a numpy scalar from its dtype object (`numpy.dtype('<f8')`-like PyObject) and raw bytes. */
function numpyScalar(args: unknown[]): unknown {
  const [dtype, raw] = args;
  if (!(dtype instanceof PyObject) || !(raw instanceof Uint8Array)) return new PyObject(new PyGlobal("numpy", "scalar"), args);
  const code = String(dtype.args[0]);
  const order = Array.isArray(dtype.state) ? dtype.state[1] : "<";
  const le = order !== ">";
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const readers: Record<string, () => number | bigint | boolean> = {
    f8: () => dv.getFloat64(0, le), f4: () => dv.getFloat32(0, le), i8: () => dv.getBigInt64(0, le),
    u8: () => dv.getBigUint64(0, le), i4: () => dv.getInt32(0, le), u4: () => dv.getUint32(0, le),
    i2: () => dv.getInt16(0, le), u2: () => dv.getUint16(0, le), i1: () => dv.getInt8(0), u1: () => dv.getUint8(0),
    b1: () => dv.getUint8(0) !== 0,
  };
  const read = readers[code];
  if (!read) return new PyObject(new PyGlobal("numpy", "scalar"), args);
  const v = read();
  return typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const BUILTINS: Record<string, (args: unknown[]) => unknown> = {
  "collections.OrderedDict": toMap,
  "collections.defaultdict": () => new Map(),
  "builtins.dict": toMap,
  "builtins.list": (a) => (Array.isArray(a[0]) ? [...a[0]] : []),
  "builtins.tuple": (a) => (Array.isArray(a[0]) ? [...a[0]] : []),
  "builtins.set": (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
  "builtins.frozenset": (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
  "builtins.bytearray": (a) => (typeof a[0] === "string" ? latin1(a[0]) : a[0] instanceof Uint8Array ? a[0] : new Uint8Array()),
  "builtins.bytes": (a) => (typeof a[0] === "string" ? latin1(a[0]) : a[0] instanceof Uint8Array ? a[0] : new Uint8Array()),
  // Protocol 2 pickles bytes as _codecs.encode(text, "latin1").
  "_codecs.encode": (a) =>
    typeof a[0] !== "string" ? a[0] : a[1] === "latin1" || a[1] === "latin-1" ? latin1(a[0]) : new TextEncoder().encode(a[0]),
  // Protocols 0/1 rebuild plain class instances through copyreg; the state arrives by BUILD.
  "copyreg._reconstructor": (a) =>
    a[0] instanceof PyGlobal ? new PyObject(a[0], []) : new PyObject(new PyGlobal("copyreg", "_reconstructor"), a),
  "numpy.core.multiarray.scalar": numpyScalar,
  "numpy._core.multiarray.scalar": numpyScalar,
};

function builtinGlobal(module: string, name: string): unknown {
  // Protocols < 3 write Python 2 module names.
  const mod = module === "__builtin__" ? "builtins" : module === "copy_reg" ? "copyreg" : module;
  const fn = BUILTINS[`${mod}.${name}`];
  return fn ? new PyCallable(`${mod}.${name}`, fn) : undefined;
}

const asArgs = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const hasSetState = (v: unknown): v is { setState(s: unknown): void } =>
  typeof v === "object" && v !== null && typeof (v as { setState?: unknown }).setState === "function";

/** Apply a callable (known or not) to its arguments. */
function callGlobal(callee: unknown, args: unknown[], where: number): unknown {
  if (callee instanceof PyCallable) return callee.fn(args);
  if (callee instanceof PyGlobal) return new PyObject(callee, args);
  if (typeof callee === "function") return (callee as (a: unknown[]) => unknown)(args);
  throw new Error(`pickle: cannot call a ${describe(callee)} at byte ${where}; the data is corrupt`);
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (v instanceof Map) return "dict";
  if (Array.isArray(v)) return "list";
  return v instanceof PyObject ? v.cls.qualname : typeof v;
}

/** Decode Python's raw-unicode-escape (the text was read as latin1; only \\uXXXX and \\UXXXXXXXX are escapes). */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4: string, u8: string) =>
    String.fromCodePoint(parseInt(u4 ?? u8, 16)),
  );
}

/** Little-endian two's-complement integer → number (or bigint beyond 2^53). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Parse a protocol-0 text integer (`I…`/`L…`), which may be `01`/`00` for booleans. */
function textInt(s: string): number | bigint | boolean {
  if (s === "01") return true;
  if (s === "00") return false;
  const v = BigInt(s.replace(/L$/, ""));
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Unpickle `data` into JS values. Nothing is executed: see the module comment for the value mapping.
 * @throws on truncated data, unknown opcodes, or persistent ids without a `persistentLoad` hook.
 * @example
 * const obj = unpickle(zip.readEntry("archive/data.pkl"), { persistentLoad: (pid) => resolveStorage(pid) });
 */
export function unpickle(data: Uint8Array, hooks: UnpickleHooks = {}): unknown {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder("utf-8");
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): number => {
    if (pos + n > data.length) {
      throw new Error(`pickle data ends early at byte ${data.length} (wanted ${n} more at ${pos}); the file is truncated`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const bytes = (n: number): Uint8Array => data.subarray(need(n), pos);
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new Error(`pickle data ends early inside a text field at byte ${pos}; the file is truncated`);
    const s = new TextDecoder("latin1").decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new Error(`pickle: stack underflow at byte ${pos}; the data is corrupt`);
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) throw new Error(`pickle: MARK expected at byte ${pos}; the data is corrupt`);
    stack = prev;
    return items;
  };
  const top = (): unknown => stack[stack.length - 1];
  const getMemo = (i: number): unknown => {
    if (!memo.has(i)) throw new Error(`pickle: memo key ${i} missing at byte ${pos}; the data is corrupt`);
    return memo.get(i);
  };
  const global = (module: string, name: string): unknown =>
    hooks.findGlobal?.(module, name) ?? builtinGlobal(module, name) ?? new PyGlobal(module, name);
  const persistent = (pid: unknown): unknown => {
    if (!hooks.persistentLoad) throw new Error("pickle: persistent id found but no persistentLoad hook was given");
    return hooks.persistentLoad(pid);
  };
  const setItems = (target: unknown, kv: unknown[]): void => {
    const map = target instanceof Map ? target : target instanceof PyObject ? target.items : undefined;
    if (!map) throw new Error(`pickle: SETITEMS on a ${describe(target)} at byte ${pos}; the data is corrupt`);
    for (let i = 0; i + 1 < kv.length; i += 2) map.set(kv[i], kv[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (Array.isArray(target)) target.push(...items);
    else if (target instanceof PyObject) target.list.push(...items);
    else if (target instanceof Set) items.forEach((x) => target.add(x));
    else throw new Error(`pickle: APPENDS on a ${describe(target)} at byte ${pos}; the data is corrupt`);
  };

  for (;;) {
    const at = pos;
    const op = data[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME (protocol 4): frames are just a read-ahead hint
      case 0x2e: // STOP
        if (stack.length !== 1 || metastack.length) {
          throw new Error(`pickle: STOP with ${stack.length} values on the stack; the data is corrupt`);
        }
        return stack[0];
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(dv.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(data[need(1)]); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x8a: stack.push(decodeLong(bytes(data[need(1)]))); break; // LONG1
      case 0x8b: stack.push(decodeLong(bytes(dv.getInt32(need(4), true)))); break; // LONG4
      case 0x49: case 0x4c: stack.push(textInt(line())); break; // INT, LONG
      case 0x46: stack.push(parseFloat(line())); break; // FLOAT
      case 0x47: stack.push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8.decode(bytes(dv.getUint32(need(4), true)))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(bytes(data[need(1)]))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(bytes(Number(dv.getBigUint64(need(8), true))))); break; // BINUNICODE8
      case 0x56: stack.push(rawUnicodeEscape(line())); break; // UNICODE (protocol 0)
      case 0x53: stack.push(line().replace(/^(['"])(.*)\1$/, "$2")); break; // STRING (repr-quoted)
      case 0x54: stack.push(new TextDecoder("latin1").decode(bytes(dv.getInt32(need(4), true)))); break; // BINSTRING
      case 0x55: stack.push(new TextDecoder("latin1").decode(bytes(data[need(1)]))); break; // SHORT_BINSTRING
      case 0x42: stack.push(bytes(dv.getUint32(need(4), true)).slice()); break; // BINBYTES
      case 0x43: stack.push(bytes(data[need(1)]).slice()); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(bytes(Number(dv.getBigUint64(need(8), true))).slice()); break; // BINBYTES8, BYTEARRAY8
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark swaps `stack`: call it first)
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const kv = popMark(); const m = new Map(); setItems(m, kv); stack.push(m); break; } // DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x91: { const items = popMark(); stack.push(new Set(items)); break; } // FROZENSET
      case 0x90: { const items = popMark(); appendItems(top(), items); break; } // ADDITEMS
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x70: memo.set(parseInt(line(), 10), top()); break; // PUT
      case 0x71: memo.set(data[need(1)], top()); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: stack.push(getMemo(parseInt(line(), 10))); break; // GET
      case 0x68: stack.push(getMemo(data[need(1)])); break; // BINGET
      case 0x6a: stack.push(getMemo(dv.getUint32(need(4), true))); break; // LONG_BINGET
      case 0x63: { const module = line(); const name = line(); stack.push(global(module, name)); break; } // GLOBAL
      case 0x93: { const name = String(pop()); stack.push(global(String(pop()), name)); break; } // STACK_GLOBAL
      case 0x52: case 0x81: { // REDUCE, NEWOBJ: callable/class and an argument tuple
        const args = asArgs(pop());
        stack.push(callGlobal(pop(), args, at));
        break;
      }
      case 0x92: { // NEWOBJ_EX (keyword arguments dropped)
        pop();
        const args = asArgs(pop());
        stack.push(callGlobal(pop(), args, at));
        break;
      }
      case 0x69: { // INST (protocol 0)
        const module = line();
        const name = line();
        const args = popMark();
        stack.push(callGlobal(global(module, name), args, at));
        break;
      }
      case 0x6f: { const items = popMark(); stack.push(callGlobal(items[0], items.slice(1), at)); break; } // OBJ
      case 0x62: { // BUILD: set state on the object below; dicts and tensors keep their own meaning
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        else if (hasSetState(obj)) obj.setState(state);
        break;
      }
      case 0x50: stack.push(persistent(line())); break; // PERSID
      case 0x51: stack.push(persistent(pop())); break; // BINPERSID
      case 0x82: case 0x83: case 0x84: // EXT1, EXT2, EXT4
        throw new Error(`pickle: extension-registry opcode 0x${op.toString(16)} at byte ${at} is not supported`);
      case 0x97: case 0x98: // NEXT_BUFFER, READONLY_BUFFER
        throw new Error(`pickle: out-of-band buffers (protocol 5) at byte ${at} are not supported`);
      default:
        throw new Error(`pickle: unknown opcode 0x${op.toString(16)} at byte ${at}; the data is corrupt or not a pickle`);
    }
  }
}

/**
 * Convert unpickled values to JSON-friendly ones: Maps and dict-like {@link PyObject}s become plain objects
 * (keys stringified), Sets become arrays, bigints become numbers if exact else strings, bytes become
 * `{bytes: n}`, other objects become `{__class__: "module.name", …}`. `leaf` may convert values first (tensors).
 * @example
 * toPlain(new Map([["a", 1]])); // { a: 1 }
 */
export function toPlain(value: unknown, leaf?: (v: unknown) => unknown, depth = 0): unknown {
  if (depth > 64) return "<too deep>";
  const converted = leaf?.(value);
  if (converted !== undefined) return converted;
  const rec = (v: unknown): unknown => toPlain(v, leaf, depth + 1);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (Array.isArray(value)) return value.map(rec);
  if (value instanceof Set) return [...value].map(rec);
  const fromMap = (m: Map<unknown, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of m) out[typeof k === "string" ? k : JSON.stringify(rec(k))] = rec(v);
    return out;
  };
  if (value instanceof Map) return fromMap(value);
  if (value instanceof PyObject) {
    if (value.items.size && value.state === undefined && !value.list.length) return fromMap(value.items);
    const out: Record<string, unknown> = { __class__: value.cls.qualname };
    if (value.args.length) out.args = rec(value.args);
    if (value.state !== undefined) out.state = rec(value.state);
    if (value.items.size) out.items = fromMap(value.items);
    if (value.list.length) out.list = rec(value.list);
    return out;
  }
  if (value instanceof PyGlobal) return { __global__: value.qualname };
  if (value instanceof PyCallable) return { __global__: value.qualname };
  return String(value);
}
