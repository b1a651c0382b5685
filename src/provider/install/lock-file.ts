/**
 * `.terraform.lock.hcl`: a small, strict reader of the grammar Terraform
 * writes, and a merge that puts the Alooma provider's entry in and leaves
 * every other byte of the file alone.
 *
 * Why not a general HCL parser (`@cdktf/hcl2json` is installed as a cdktf
 * dependency): it turns the file into JSON, so writing it back would
 * re-render the other providers' entries instead of keeping them
 * byte-for-byte; it is asynchronous (WebAssembly) while synthesis is not;
 * and it is a dependency of the cdktf CLI, not of this package. The lock
 * file's grammar is small: comments, and `provider "<address>" { ... }`
 * blocks of `name = "string"` and `name = ["string", ...]` attributes. The
 * reader accepts exactly that (and HCL's comment forms and string escapes),
 * records where each block starts and ends, and refuses anything else with
 * the line it stopped at, rather than guess and rewrite a file it does not
 * understand.
 */
import { AloomaErrorCode } from '../../alooma/errors';
import { ProviderInstallError } from './errors';

/** An attribute value in a lock file: a string or a list of strings. */
export type LockValue = string | readonly string[];

/** One `provider "<address>" { ... }` block and where it is in the text. */
export interface LockBlock {
  /** The provider's source address, as written. */
  readonly address: string;
  /** The block's attributes (`version`, `constraints`, `hashes`). */
  readonly attributes: Readonly<Record<string, LockValue>>;
  /** Offset of the `provider` keyword. */
  readonly start: number;
  /** Offset just after the closing `}`. */
  readonly end: number;
}

/** A lock file as read: its text and its provider blocks in file order. */
export interface LockFile {
  readonly text: string;
  readonly blocks: readonly LockBlock[];
}

/** What the lock file records for one provider. */
export interface LockEntry {
  /** Source address, fully qualified: `<host>/<namespace>/<type>`. */
  readonly address: string;
  /** The selected version. */
  readonly version: string;
  /** The version constraints of `required_providers`, as Terraform writes them. */
  readonly constraints?: string;
  /** Package hashes (`h1:...`, `zh:...`). */
  readonly hashes: readonly string[];
}

/** The two comment lines `terraform init` starts a new lock file with. */
export const LOCK_FILE_HEADER =
  '# This file is maintained automatically by "terraform init".\n' +
  '# Manual edits may be lost in future updates.\n';

/** Reads a lock file's text; throws `lock_file_invalid` with the line where it stopped. */
export function parseLockFile(text: string, file = '.terraform.lock.hcl'): LockFile {
  return new Reader(text, file).file();
}

/**
 * The entry as Terraform renders it: `version` and `constraints` aligned,
 * hashes sorted, one per line, each followed by a comma.
 */
export function renderLockBlock(entry: LockEntry): string {
  const hashes = [...new Set(entry.hashes)].sort();
  const lines = [`provider ${quote(entry.address)} {`];
  if (entry.constraints !== undefined) {
    lines.push(`  version     = ${quote(entry.version)}`);
    lines.push(`  constraints = ${quote(entry.constraints)}`);
  } else {
    lines.push(`  version = ${quote(entry.version)}`);
  }
  lines.push('  hashes = [', ...hashes.map((h) => `    ${quote(h)},`), '  ]', '}');
  return lines.join('\n');
}

/**
 * `existing` (a lock file's text, or undefined when there is none) with
 * `entry` in it: the provider's old block, if any, is replaced where it
 * stands; otherwise the new block goes where Terraform would put it (blocks
 * sorted by address). Every other byte is kept.
 */
export function mergeLockEntry(
  existing: string | undefined,
  entry: LockEntry,
  file?: string,
): string {
  const block = renderLockBlock(entry);
  if (existing === undefined || existing.trim() === '') return `${LOCK_FILE_HEADER}\n${block}\n`;
  const { text, blocks } = parseLockFile(existing, file);
  const key = entry.address.toLowerCase();
  const same = blocks.filter((b) => b.address.toLowerCase() === key);
  if (same.length > 0) {
    const [old] = same;
    return text.slice(0, old.start) + block + text.slice(old.end);
  }
  const after = blocks.find((b) => b.address.toLowerCase() > key);
  if (after) return `${text.slice(0, after.start)}${block}\n\n${text.slice(after.start)}`;
  const trimmed = text.endsWith('\n') ? text : `${text}\n`;
  return `${trimmed}\n${block}\n`;
}

/** The entry for `address` in a lock file's text, or undefined. */
export function findLockEntry(text: string, address: string): LockEntry | undefined {
  const block = parseLockFile(text).blocks.find(
    (b) => b.address.toLowerCase() === address.toLowerCase(),
  );
  if (!block) return undefined;
  const { version, constraints, hashes } = block.attributes;
  return {
    address: block.address,
    version: typeof version === 'string' ? version : '',
    ...(typeof constraints === 'string' ? { constraints } : {}),
    hashes: Array.isArray(hashes) ? hashes : [],
  };
}

/** An HCL quoted string for a value Terraform itself would write (versions, hashes, addresses). */
function quote(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** Recursive-descent reader over the lock file's grammar. */
class Reader {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly fileName: string,
  ) {}

  file(): LockFile {
    const blocks: LockBlock[] = [];
    const seen = new Set<string>();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) break;
      const start = this.pos;
      const keyword = this.identifier();
      if (keyword !== 'provider') {
        this.fail(
          keyword
            ? `unexpected "${keyword}" (a lock file holds only provider blocks)`
            : `unexpected ${this.describe()}`,
        );
      }
      this.skipSpace();
      const address = this.string();
      this.skipSpace();
      this.expect('{');
      const attributes = this.body();
      const lower = address.toLowerCase();
      if (seen.has(lower)) this.fail(`a second block for provider "${address}"`, start);
      seen.add(lower);
      blocks.push({ address, attributes, start, end: this.pos });
    }
    return { text: this.text, blocks };
  }

  /** Attributes up to and including the block's closing brace. */
  private body(): Record<string, LockValue> {
    const attributes: Record<string, LockValue> = {};
    for (;;) {
      this.skipSpace();
      if (this.peek() === '}') {
        this.pos++;
        return attributes;
      }
      const at = this.pos;
      const name = this.identifier();
      if (!name) this.fail(`unexpected ${this.describe()} in a provider block`);
      if (Object.prototype.hasOwnProperty.call(attributes, name))
        this.fail(`"${name}" is set twice`, at);
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      attributes[name] = this.peek() === '[' ? this.list() : this.string();
    }
  }

  private list(): string[] {
    this.expect('[');
    const items: string[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') {
        this.pos++;
        return items;
      }
      items.push(this.string());
      this.skipSpace();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== ']') this.fail(`expected "," or "]", found ${this.describe()}`);
    }
  }

  /** A quoted string with HCL's escapes; a template (`${`, `%{`) is refused. */
  private string(): string {
    if (this.peek() !== '"') this.fail(`expected a quoted string, found ${this.describe()}`);
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string', start);
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.pos++];
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
        if (e !== undefined && e in simple) out += simple[e];
        else if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          const hex = this.text.slice(this.pos, this.pos + len);
          if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex))
            this.fail('bad \\u escape', this.pos - 2);
          out += String.fromCodePoint(parseInt(hex, 16));
          this.pos += len;
        } else this.fail(`unknown escape "\\${e ?? ''}"`, this.pos - 2);
      } else if ((c === '$' || c === '%') && this.text[this.pos] === '{') {
        this.fail('a template sequence in a lock file string', this.pos - 1);
      } else if (
        (c === '$' || c === '%') &&
        this.text[this.pos] === c &&
        this.text[this.pos + 1] === '{'
      ) {
        out += `${c}{`; // `$${` and `%%{` are the escaped, literal forms
        this.pos += 2;
      } else out += c;
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) return '';
    this.pos += match[0].length;
    return match[0];
  }

  /** Whitespace and comments (`#` and `//` to the end of the line, `/* ... *\/`). */
  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\uFEFF') this.pos++;
      else if (c === '#' || (c === '/' && this.text[this.pos + 1] === '/')) {
        const eol = this.text.indexOf('\n', this.pos);
        this.pos = eol < 0 ? this.text.length : eol + 1;
      } else if (c === '/' && this.text[this.pos + 1] === '*') {
        const close = this.text.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail('unterminated /* comment');
        this.pos = close + 2;
      } else return;
    }
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected "${c}", found ${this.describe()}`);
    this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private describe(): string {
    const c = this.peek();
    return c === undefined ? 'the end of the file' : JSON.stringify(c);
  }

  private fail(what: string, at = this.pos): never {
    const line = this.text.slice(0, at).split('\n').length;
    throw new ProviderInstallError(
      AloomaErrorCode.LOCK_FILE_INVALID,
      `${this.fileName}:${line}: ${what}`,
      'the file is not the lock file Terraform writes; fix or delete it (terraform init writes a new one), then install again',
    );
  }
}
