/**
 * One command's form. Each submission sends one mutation with a commandId; when the
 * request got no answer, pressing Record again resends the same input with the same
 * commandId, so a retry never records twice. Errors appear next to the field they concern.
 */
import { useState } from 'preact/hooks';
import { GraphQLErrors, NetworkError, request } from '../graphql/client';
import { CODES, RULES } from '../rules';
import {
  CommandSpec,
  CommitmentValue,
  FieldSpec,
  FieldValue,
  buildInput,
  newCommandId,
} from './commands';
import { NetworkData } from '../network-data';
import { POSITION_LABEL } from './palette';

export interface Choices {
  readonly organizations: readonly { id: string; name: string }[];
  readonly groups: readonly { id: string; name: string }[];
  readonly partnerships: readonly { id: string; name: string; partyIds?: readonly string[] }[];
  /**
   * The lists hold only what the page has loaded (a large network): an id is typed, with
   * the loaded ones offered as suggestions, instead of chosen from a list.
   */
  readonly partial: boolean;
}

export function choicesOf(network: NetworkData | null): Choices {
  if (network === null) return { organizations: [], groups: [], partnerships: [], partial: false };
  return {
    organizations: [...network.organizations].map(([id, o]) => ({ id, name: o.name })),
    groups: network.groups.map((g) => ({ id: g.id, name: g.name })),
    partnerships: network.partnerships.map((p) => ({
      id: p.id,
      name: p.name,
      partyIds: p.partyIds,
    })),
    partial: network.large,
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
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [pending, setPending] = useState<{ commandId: string; input: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  const fieldNames = new Set(spec.fields.map((field) => field.name));
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
          // The rule's field in this form (DUPLICATE_PARTY: the parties, or the commitments).
          const field = [rule.field, ...(rule.alsoFields ?? [])].find(
            (name) => name !== null && fieldNames.has(name),
          );
          setOutcome({ kind: 'refused', field: field ?? null, message: rule.sentence });
          return;
        }
        const code = extensions.code ?? 'INTERNAL_SERVER_ERROR';
        // `input.commitments.0.commitment` concerns the commitments field.
        const path = typeof extensions.field === 'string' ? extensions.field.split('.') : [];
        const field = path.find((name) => fieldNames.has(name)) ?? path.at(-1) ?? null;
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
          partnershipId={
            typeof values['partnershipId'] === 'string' ? values['partnershipId'] : undefined
          }
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
  partnershipId,
  error,
  onChange,
}: {
  spec: FieldSpec;
  command: string;
  choices: Choices;
  value: FieldValue | undefined;
  /** The form's partnership, for the commitments' parties. */
  partnershipId: string | undefined;
  error: string | null;
  onChange: (value: FieldValue) => void;
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
      control = choices.partial ? (
        <>
          <input
            {...common}
            list={`${id}-known`}
            placeholder="id"
            value={text}
            onInput={(e) => onChange(e.currentTarget.value.trim())}
          />
          <datalist id={`${id}-known`}>
            {list.slice(0, 500).map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </datalist>
        </>
      ) : (
        <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          {options(list)}
        </select>
      );
      break;
    }
    case 'commitments':
      control = (
        <CommitmentRows
          id={id}
          rows={(value ?? []) as readonly CommitmentValue[]}
          choices={choices}
          partnershipId={partnershipId}
          invalid={error !== null}
          onChange={onChange}
        />
      );
      break;
    case 'organizations':
      control = choices.partial ? (
        <input
          {...common}
          placeholder="ids, separated by commas"
          value={Array.isArray(value) ? value.join(', ') : ''}
          onInput={(e) =>
            onChange(
              e.currentTarget.value
                .split(',')
                .map((part) => part.trim())
                .filter((part) => part !== ''),
            )
          }
        />
      ) : (
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

/** The commitments of an arrangement: one row per party, added and removed as needed. */
function CommitmentRows({
  id,
  rows,
  choices,
  partnershipId,
  invalid,
  onChange,
}: {
  id: string;
  rows: readonly CommitmentValue[];
  choices: Choices;
  /** The partnership chosen in the same form: its parties are offered first. */
  partnershipId: string | undefined;
  invalid: boolean;
  onChange: (rows: readonly CommitmentValue[]) => void;
}) {
  const parties = choices.partnerships.find((p) => p.id === partnershipId)?.partyIds;
  const partySet = new Set(parties ?? []);
  // The parties of the chosen partnership first; every other organisation after them, so
  // that the rule (NOT_A_PARTY) can still be met and explained.
  const offered = [
    ...choices.organizations.filter((o) => partySet.has(o.id)),
    ...choices.organizations.filter((o) => !partySet.has(o.id)),
  ];
  const change = (index: number, row: Partial<CommitmentValue>) =>
    onChange(rows.map((old, at) => (at === index ? { ...old, ...row } : old)));
  return (
    <div class="commitments" id={id} role="group" aria-invalid={invalid}>
      {rows.length === 0 && <p class="muted">None: add one per party that takes on a part.</p>}
      {rows.map((row, index) => (
        <div class="commitment-row" key={index}>
          {choices.partial ? (
            <input
              aria-label={`Party of commitment ${index + 1}`}
              placeholder="organisation id"
              value={row.organizationId}
              onInput={(e) => change(index, { organizationId: e.currentTarget.value.trim() })}
            />
          ) : (
            <select
              aria-label={`Party of commitment ${index + 1}`}
              value={row.organizationId}
              onChange={(e) => change(index, { organizationId: e.currentTarget.value })}
            >
              <option value="">choose a party…</option>
              {offered.map((item) => (
                <option key={item.id} value={item.id}>
                  {partySet.has(item.id) ? '' : '(not a party) '}
                  {item.name} ({item.id})
                </option>
              ))}
            </select>
          )}
          <textarea
            aria-label={`Part of the work of commitment ${index + 1}`}
            placeholder="the part of the work it takes on"
            value={row.commitment}
            onInput={(e) => change(index, { commitment: e.currentTarget.value })}
          />
          <button
            type="button"
            class="link-button"
            onClick={() => onChange(rows.filter((_, at) => at !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        class="link-button"
        onClick={() => onChange([...rows, { organizationId: '', commitment: '' }])}
      >
        Add a commitment
      </button>
    </div>
  );
}
