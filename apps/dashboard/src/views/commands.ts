/**
 * Every command a manager can record from the page: one row each (its mutation document,
 * its form fields). The form, the commandId handling and the error display are shared.
 */
import {
  AgreeArrangementDocument,
  AssessCapabilityDocument,
  ChangePositionDocument,
  DissolveGroupDocument,
  EndPartnershipDocument,
  ExtendPartnershipDocument,
  FormPartnershipDocument,
  FoundGroupDocument,
  JoinGroupDocument,
  LeaveGroupDocument,
  RecordInterventionDocument,
  RegisterOrganizationDocument,
  TypedDocument,
} from '../graphql/generated';

export type FieldKind =
  | 'text'
  | 'longText'
  | 'newId'
  | 'organization'
  | 'organizations'
  | 'group'
  | 'partnership'
  | 'position'
  | 'endReason'
  | 'time'
  | 'level'
  | 'commitments';

/** One row of the commitments field: which party takes on which part of the work. */
export interface CommitmentValue {
  readonly organizationId: string;
  readonly commitment: string;
}

export type FieldValue = string | readonly string[] | readonly CommitmentValue[];

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly required: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly title: string;
  // Every command's input is built from the same kinds of field; the row's document decides
  // the shape the server checks.
  readonly document: TypedDocument<unknown, { input: never }>;
  readonly fields: readonly FieldSpec[];
}

const f = (name: string, label: string, kind: FieldKind, required = true): FieldSpec => ({
  name,
  label,
  kind,
  required,
});
const effectiveAt = f('effectiveAt', 'Took effect (empty: now)', 'time', false);

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'registerOrganization',
    title: 'Register an organisation',
    document: RegisterOrganizationDocument as CommandSpec['document'],
    fields: [
      f('id', 'Id (empty: generated)', 'newId', false),
      f('name', 'Name', 'text'),
      effectiveAt,
    ],
  },
  {
    name: 'foundGroup',
    title: 'Found a group',
    document: FoundGroupDocument as CommandSpec['document'],
    fields: [
      f('id', 'Id (empty: generated)', 'newId', false),
      f('name', 'Name', 'text'),
      f('purpose', 'Purpose', 'longText', false),
      effectiveAt,
    ],
  },
  {
    name: 'joinGroup',
    title: 'Join a group',
    document: JoinGroupDocument as CommandSpec['document'],
    fields: [
      f('groupId', 'Group', 'group'),
      f('organizationId', 'Organisation', 'organization'),
      f('position', 'Position', 'position'),
      effectiveAt,
    ],
  },
  {
    name: 'changePosition',
    title: 'Change position',
    document: ChangePositionDocument as CommandSpec['document'],
    fields: [
      f('groupId', 'Group', 'group'),
      f('organizationId', 'Organisation', 'organization'),
      f('position', 'New position', 'position'),
      f('reason', 'Reason', 'longText', false),
      effectiveAt,
    ],
  },
  {
    name: 'leaveGroup',
    title: 'Leave a group',
    document: LeaveGroupDocument as CommandSpec['document'],
    fields: [
      f('groupId', 'Group', 'group'),
      f('organizationId', 'Organisation', 'organization'),
      f('reason', 'Reason', 'longText', false),
      effectiveAt,
    ],
  },
  {
    name: 'dissolveGroup',
    title: 'Dissolve a group',
    document: DissolveGroupDocument as CommandSpec['document'],
    fields: [f('groupId', 'Group', 'group'), f('reason', 'Reason', 'longText', false), effectiveAt],
  },
  {
    name: 'formPartnership',
    title: 'Form a partnership',
    document: FormPartnershipDocument as CommandSpec['document'],
    fields: [
      f('id', 'Id (empty: generated)', 'newId', false),
      f('name', 'Name', 'text'),
      f('purpose', 'Purpose', 'longText', false),
      f('partyIds', 'Parties (two or more)', 'organizations'),
      f('groupId', 'Within group (optional)', 'group', false),
      f('intendedEndAt', 'Intended end', 'time'),
      effectiveAt,
    ],
  },
  {
    name: 'agreeArrangement',
    title: 'Agree an arrangement',
    document: AgreeArrangementDocument as CommandSpec['document'],
    fields: [
      f('partnershipId', 'Partnership', 'partnership'),
      f('arrangementId', 'Arrangement id (empty: generated)', 'newId', false),
      f('title', 'Title', 'text'),
      f('terms', 'Terms', 'longText'),
      f('validUntil', 'Valid until', 'time', false),
      f('commitments', "Commitments: each party's part of the work", 'commitments', false),
      effectiveAt,
    ],
  },
  {
    name: 'extendPartnership',
    title: 'Extend a partnership',
    document: ExtendPartnershipDocument as CommandSpec['document'],
    fields: [
      f('partnershipId', 'Partnership', 'partnership'),
      f('intendedEndAt', 'New intended end', 'time'),
      effectiveAt,
    ],
  },
  {
    name: 'endPartnership',
    title: 'End a partnership',
    document: EndPartnershipDocument as CommandSpec['document'],
    fields: [
      f('partnershipId', 'Partnership', 'partnership'),
      f('reason', 'Reason', 'endReason'),
      f('note', 'Note', 'longText', false),
      effectiveAt,
    ],
  },
  {
    name: 'assessCapability',
    title: 'Assess capability',
    document: AssessCapabilityDocument as CommandSpec['document'],
    fields: [
      f('organizationId', 'Organisation', 'organization'),
      f('ambition', 'Ambition (1-5)', 'level'),
      f('realized', 'Realised (1-5)', 'level'),
      f('notes', 'Notes', 'longText', false),
      effectiveAt,
    ],
  },
  {
    name: 'recordIntervention',
    title: 'Record an intervention',
    document: RecordInterventionDocument as CommandSpec['document'],
    // The server takes exactly one target; a form with none or several is refused there,
    // with the fields named, like any other rule.
    fields: [
      f('interventionId', 'Intervention id (empty: generated)', 'newId', false),
      f('organizationId', 'Aimed at an organisation', 'organization', false),
      f('groupId', 'or a group', 'group', false),
      f('partnershipId', 'or a partnership', 'partnership', false),
      f('title', 'Title', 'text'),
      f('aim', 'Aim', 'longText', false),
      effectiveAt,
    ],
  },
];

/** A fresh idempotency key; works outside secure contexts too (plain http on a LAN). */
export function newCommandId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dash-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The mutation input from the form's values: empty optional fields are left out. */
export function buildInput(
  spec: CommandSpec,
  values: Readonly<Record<string, FieldValue>>,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const value = values[field.name];
    if (field.kind === 'commitments') {
      // Rows left wholly empty are not sent; a half-filled one is, so the server names it.
      const rows = ((value ?? []) as readonly CommitmentValue[]).filter(
        (row) => row.organizationId !== '' || row.commitment.trim() !== '',
      );
      if (rows.length > 0) input[field.name] = rows;
      continue;
    }
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      if (field.kind === 'organizations') input[field.name] = [];
      continue;
    }
    if (field.kind === 'level') input[field.name] = Number(value);
    else if (field.kind === 'time') input[field.name] = new Date(value as string).toISOString();
    else input[field.name] = value;
  }
  return input;
}
