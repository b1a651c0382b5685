/**
 * `alooma-cdktf inputs ...`: the reference API's operations on the command
 * line. Changes are dry runs that print the diff unless `--apply` is given;
 * delete also needs `--yes`.
 */
import { Command, Option } from 'commander';
import { Inputs, InputsClient } from '../inputs/inputs';
import { CliError } from './errors';

/** How the inputs commands reach Alooma and print. */
export interface InputsCommandDeps {
  /** Builds the client (from the environment) when a command runs. */
  client(): InputsClient;
  print(line: string): void;
  colour(): boolean;
  run(action: () => Promise<number>): Promise<void>;
}

interface CommonOptions {
  apply?: boolean;
  format?: 'table' | 'json';
}

/** Adds the `inputs` command tree to a program. */
export function addInputsCommands(program: Command, deps: InputsCommandDeps): void {
  const inputs = program
    .command('inputs')
    .description('inspect and change inputs one at a time (dry run unless --apply)');

  const make = (
    opts: CommonOptions & { indent?: string; width?: string; depth?: string },
    applyHint = 'add --apply to write it',
  ) => {
    const json = opts.format === 'json';
    const lines: string[] = [];
    const api = new Inputs(deps.client(), {
      applyChanges: opts.apply === true,
      previewFull: false,
      previewChanges: !json,
      colour: !json && deps.colour(),
      pprintIndent: opts.indent ? Number(opts.indent) : undefined,
      pprintWidth: opts.width ? Number(opts.width) : undefined,
      pprintDepth: opts.depth ? Number(opts.depth) : undefined,
      applyHint,
      // With --format json only the JSON document reaches stdout.
      print: json ? (line) => lines.push(line) : deps.print,
    });
    return { api, json };
  };
  const formatOption = () =>
    new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
  const applyOption = () =>
    new Option('--apply', 'write the change (default: dry run that prints the diff)');
  const emit = (value: unknown) => deps.print(JSON.stringify(value, null, 2));
  const change =
    (
      label: string,
      fn: (api: Inputs) => Promise<{ applied: boolean; newInput: unknown; diff: unknown }>,
    ) =>
    (opts: CommonOptions) =>
      deps.run(async () => {
        const { api, json } = make(opts);
        const result = await fn(api);
        if (json)
          emit({
            operation: label,
            applied: result.applied,
            diff: result.diff,
            input: result.newInput,
          });
        return 0;
      });

  inputs
    .command('list')
    .description('names of all inputs')
    .option('--quoted', "print 'a', 'b', ... (quoted and comma-separated)")
    .addOption(formatOption())
    .action((opts: CommonOptions & { quoted?: boolean }) =>
      deps.run(async () => {
        const { api, json } = make(opts);
        const names = await api.listInputs(!json, opts.quoted === true);
        if (json) emit(names);
        return 0;
      }),
    );

  inputs
    .command('history')
    .description(
      'what was written to an input, newest first: when, who, changed fields (a deleted input too)',
    )
    .argument('<input>', 'input name or id')
    .addOption(formatOption())
    .action((name: string, opts: CommonOptions) =>
      deps.run(async () => {
        const { api, json } = make(opts);
        const entries = await api.history(name);
        if (json) emit(entries);
        return 0;
      }),
    );

  inputs
    .command('view')
    .description('inputs as a table or JSON; one input with its configuration (secrets masked)')
    .argument('[name]', 'only this input')
    .addOption(formatOption())
    .option('--indent <n>', 'JSON indent', '2')
    .option('--width <n>', 'JSON line width', '250')
    .option('--depth <n>', 'JSON depth before eliding', '5')
    .action((name: string | undefined, opts: CommonOptions) =>
      deps.run(async () => {
        const { api, json } = make({ ...opts, format: 'table' });
        if (json) await api.viewInputs(name, 'json');
        else await api.viewInputs(name, opts.format);
        return 0;
      }),
    );

  inputs
    .command('tables')
    .description('tables of a database input and their update indicators')
    .argument('<name>')
    .addOption(formatOption())
    .action((name: string, opts: CommonOptions) =>
      deps.run(async () => {
        const { api, json } = make(opts);
        const tables = await api.listTables(name, !json);
        if (json) emit(tables);
        return 0;
      }),
    );

  for (const verb of ['pause', 'resume'] as const) {
    inputs
      .command(verb)
      .description(`${verb} an input`)
      .argument('<name>')
      .addOption(applyOption())
      .action((name: string, opts: CommonOptions) =>
        deps.run(async () => {
          const { api } = make(opts);
          await (verb === 'pause' ? api.pauseInput(name) : api.resumeInput(name));
          return 0;
        }),
      );
  }

  inputs
    .command('delete')
    .description('delete an input (cannot be undone): needs --apply and --yes')
    .argument('<name>')
    .addOption(applyOption())
    .option('--yes', 'confirm the deletion')
    .action((name: string, opts: CommonOptions & { yes?: boolean }) =>
      deps.run(async () => {
        if (opts.apply && !opts.yes) {
          throw new CliError(
            'confirmation_required',
            `deleting "${name}" cannot be undone`,
            'add --yes to confirm',
          );
        }
        const { api } = make(opts, 'add --apply --yes to delete it');
        await api.deleteInput(name);
        return 0;
      }),
    );

  inputs
    .command('edit')
    .description(
      'set one configuration field (VALUE is parsed as JSON when it is JSON, e.g. 500 or true)',
    )
    .argument('<name>')
    .argument('<field>')
    .argument('<value>')
    .option('--string', 'keep VALUE as a string even when it looks like JSON')
    .addOption(applyOption())
    .addOption(formatOption())
    .action(
      (name: string, field: string, value: string, opts: CommonOptions & { string?: boolean }) =>
        change('edit', (api) =>
          api.editInputConfiguration(name, field, opts.string ? value : parseValue(value)),
        )(opts),
    );

  inputs
    .command('add-tables')
    .description('add tables to a database input')
    .argument('<name>')
    .argument('<table=indicator...>', 'e.g. orders=xmin::text::bigint')
    .addOption(applyOption())
    .addOption(formatOption())
    .action((name: string, pairs: string[], opts: CommonOptions) =>
      change('add-tables', (api) => api.addTableToInput(name, parseTablePairs(pairs)))(opts),
    );

  inputs
    .command('auto-map')
    .description('turn auto-mapping on or off')
    .argument('<name>')
    .addArgument(new Command().createArgument('<mode>', 'on or off').choices(['on', 'off']))
    .addOption(applyOption())
    .addOption(formatOption())
    .action((name: string, mode: 'on' | 'off', opts: CommonOptions) =>
      change('auto-map', (api) => api.changeAutoMappingMode(name, mode === 'on'))(opts),
    );

  inputs
    .command('template')
    .description('add a strftime template to REST parameters')
    .argument('<name>')
    .argument('<parameter...>')
    .requiredOption('-t, --template <template>', "e.g. '%Y-%m-%d'")
    .addOption(applyOption())
    .addOption(formatOption())
    .action((name: string, parameters: string[], opts: CommonOptions & { template: string }) =>
      change('template', (api) =>
        api.addTemplateToParameterConfiguration(name, parameters, opts.template),
      )(opts),
    );

  inputs
    .command('set-param')
    .description('set one field of a REST parameter, e.g. set-param api where value 10')
    .argument('<name>')
    .argument('<parameter>')
    .argument('<field>')
    .argument('<value>')
    .addOption(applyOption())
    .addOption(formatOption())
    .action((name: string, parameter: string, field: string, value: string, opts: CommonOptions) =>
      change('set-param', (api) =>
        api.editParameterConfiguration(name, parameter, field, parseValue(value)),
      )(opts),
    );
}

/** A command-line value: JSON when it parses as JSON, the string otherwise. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `orders=xmin::text::bigint` pairs as a tables dictionary. */
export function parseTablePairs(pairs: readonly string[]): Record<string, string> {
  const tables: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new CliError(
        'bad_table',
        `"${pair}" is not TABLE=INDICATOR`,
        'e.g. orders=xmin::text::bigint',
      );
    }
    tables[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return tables;
}
