/**
 * One command's form. Each submission sends one mutation with a commandId; when the
 * request got no answer, pressing Record again resends the same input with the same
 * commandId, so a retry never records twice. Errors appear next to the field they concern.
 */
import { useState } from 'preact/hooks';
import { GraphQLErrors, NetworkError, request } from '../graphql/client';
import { CODES, RULES } from '../rules';
import { CommandSpec, FieldSpec, buildInput, newCommandId } from './commands';
import { NetworkData } from '../network-data';
import { POSITION_LABEL } from './palette';

export interface Choices {
  readonly organizations: readonly { id: string; name: string }[];
  readonly groups: readonly { id: string; name: string }[];
  readonly partnerships: readonly { id: string; name: string }[];
}

export function choicesOf(network: NetworkData | null): Choices {
  if (network === null) return { organizations: [], groups: [], partnerships: [] };
  return {
    organizations: [...network.organizations].map(([id, o]) => ({ id, name: o.name })),
    groups: network.groups.map((g) => ({ id: g.id, name: g.name })),
    partnerships: network.partnerships.map((p) => ({ id: p.id, name: p.name })),
  };
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'recorded'; id: string }
  | { kind: 'retry'; message: string }
  | { kind: 'refused'; field: string | null; message: string };

export function CommandForm({
  spec,
  choices,
  onRecorded,
}: {
  spec: CommandSpec;
  choices: Choices;
  onRecorded: () => void;
}) {
  const [values, setValues] = useState<Record<string, string | string[]>>({});
  const [pending, setPending] = useState<{ commandId: string; input: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  const submit = async (event: Event) => {
    event.preventDefault();
    const input = buildInput(spec, values);
    const inputText = JSON.stringify(input);
    // The same input after a request that got no answer: the same commandId again.
    const commandId =
      pending !== null && pending.input === inputText ? pending.commandId : newCommandId();
    setPending({ commandId, input: inputText });
    setOutcome({ kind: 'sending' });
    try {
      const result = (await request(spec.document, {
        input: { ...input, commandId } as never,
      })) as Record<string, { id: string }>;
      setPending(null);
      setOutcome({ kind: 'recorded', id: result[spec.name]!.id });
      onRecorded();
    } catch (error) {
      if (error instanceof NetworkError) {
        setOutcome({
          kind: 'retry',
          message:
            'No answer from the server. Press Record again to retry: the same request id is sent, so nothing is recorded twice.',
        });
        return;
      }
      setPending(null);
      if (error instanceof GraphQLErrors) {
        const extensions = error.errors[0]?.extensions ?? {};
        const rule = extensions.rule !== undefined ? RULES[extensions.rule] : undefined;
        if (rule !== undefined) {
          setOutcome({ kind: 'refused', field: rule.field, message: rule.sentence });
          return;
        }
        const code = extensions.code ?? 'INTERNAL_SERVER_ERROR';
        const field =
          typeof extensions.field === 'string' ? extensions.field.split('.').pop()! : null;
        const message =
          code === 'BAD_USER_INPUT' || code === 'NOT_FOUND'
            ? `${CODES[code]} (${error.errors[0]!.message})`
            : (CODES[code] ?? CODES['INTERNAL_SERVER_ERROR']!);
        setOutcome({ kind: 'refused', field, message });
        return;
      }
      setOutcome({ kind: 'refused', field: null, message: String(error) });
    }
  };

  const fieldNames = new Set(spec.fields.map((field) => field.name));
  const errorFor = (name: string) =>
    outcome.kind === 'refused' && outcome.field === name ? outcome.message : null;
  const formError =
    outcome.kind === 'refused' && (outcome.field === null || !fieldNames.has(outcome.field))
      ? outcome.message
      : null;

  return (
    <form class="command" data-command={spec.name} onSubmit={submit} aria-label={spec.title}>
      <h3>{spec.title}</h3>
      {spec.fields.map((field) => (
        <Field
          key={field.name}
          spec={field}
          command={spec.name}
          choices={choices}
          value={values[field.name]}
          error={errorFor(field.name)}
          onChange={(value) => setValues({ ...values, [field.name]: value })}
        />
      ))}
      {formError !== null && (
        <p class="field-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" disabled={outcome.kind === 'sending'}>
        {outcome.kind === 'retry' ? 'Record again' : 'Record'}
      </button>
      {outcome.kind === 'recorded' && (
        <span class="recorded" role="status">
          Recorded ({outcome.id}).
        </span>
      )}
      {outcome.kind === 'retry' && (
        <p class="field-error" role="alert">
          {outcome.message}
        </p>
      )}
    </form>
  );
}

function Field({
  spec,
  command,
  choices,
  value,
  error,
  onChange,
}: {
  spec: FieldSpec;
  command: string;
  choices: Choices;
  value: string | string[] | undefined;
  error: string | null;
  onChange: (value: string | string[]) => void;
}) {
  const id = `${command}-${spec.name}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    'aria-invalid': error !== null,
    'aria-describedby': error !== null ? errorId : undefined,
  };
  const text = typeof value === 'string' ? value : '';
  const options = (list: readonly { id: string; name: string }[]) => (
    <>
      <option value="">{spec.required ? 'choose…' : 'none'}</option>
      {list.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name} ({item.id})
        </option>
      ))}
    </>
  );
  let control;
  switch (spec.kind) {
    case 'text':
    case 'newId':
      control = <input {...common} value={text} onInput={(e) => onChange(e.currentTarget.value)} />;
      break;
    case 'longText':
      control = (
        <textarea {...common} value={text} onInput={(e) => onChange(e.currentTarget.value)} />
      );
      break;
    case 'level':
      control = (
        <input
          {...common}
          type="number"
          min="1"
          max="5"
          value={text}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      );
      break;
    case 'time':
      control = (
        <input
          {...common}
          type="datetime-local"
          value={text}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      );
      break;
    case 'organization':
    case 'group':
    case 'partnership': {
      const list =
        spec.kind === 'organization'
          ? choices.organizations
          : spec.kind === 'group'
            ? choices.groups
            : choices.partnerships;
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          {options(list)}
        </select>
      );
      break;
    }
    case 'organizations':
      control = (
        <select
          {...common}
          multiple
          size={Math.min(6, Math.max(3, choices.organizations.length))}
          onChange={(e) =>
            onChange(Array.from(e.currentTarget.selectedOptions, (option) => option.value))
          }
        >
          {choices.organizations.map((item) => (
            <option
              key={item.id}
              value={item.id}
              selected={Array.isArray(value) && value.includes(item.id)}
            >
              {item.name} ({item.id})
            </option>
          ))}
        </select>
      );
      break;
    case 'position':
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">choose…</option>
          {(['CORE', 'RING', 'FREE_SPACE'] as const).map((position) => (
            <option key={position} value={position}>
              {POSITION_LABEL[position]}
            </option>
          ))}
        </select>
      );
      break;
    case 'endReason':
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">choose…</option>
          {['COMPLETED', 'TERMINATED', 'EXPIRED', 'MERGED', 'OTHER'].map((reason) => (
            <option key={reason} value={reason}>
              {reason.toLowerCase()}
            </option>
          ))}
        </select>
      );
      break;
  }
  return (
    <div class="field">
      <label for={id}>{spec.label}</label>
      {control}
      {error !== null && (
        <p class="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
