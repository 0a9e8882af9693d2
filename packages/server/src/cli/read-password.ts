import { CliError, UsageError } from './cli-error.js';

export interface ReadPasswordOptions {
  /** `--password-stdin`: read the whole of standard input (one trailing newline is dropped). */
  fromStdin: boolean;
  /** Ask twice when prompting, so a typo does not lock the user out. */
  confirm: boolean;
  /** Without --password-stdin and without a terminal: fail (true) or return undefined (false). */
  required: boolean;
}

/**
 * Reads a password without ever taking it from argv, where `ps` and shell history would show it
 * (OWASP ASVS 2.10, CWE-214): from stdin with --password-stdin, else a prompt that does not echo.
 */
export async function readPassword(options: ReadPasswordOptions): Promise<string | undefined> {
  if (options.fromStdin) {
    const text = (await readAllStdin()).replace(/\r?\n$/, '');
    if (!text) throw new UsageError('--password-stdin: standard input is empty');
    return text;
  }
  if (!process.stdin.isTTY) {
    if (options.required) throw new UsageError('no terminal to ask for the password; pipe it in with --password-stdin');
    return undefined;
  }
  const password = await promptHidden('Password: ');
  if (!password) throw new UsageError('the password is empty');
  if (options.confirm && (await promptHidden('Repeat the password: ')) !== password) {
    throw new CliError('the passwords do not match');
  }
  return password;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A terminal prompt in raw mode that echoes nothing. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (result: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      result();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(() => resolve(value));
        if (char === '\u0003') return finish(() => reject(new CliError('cancelled')));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
