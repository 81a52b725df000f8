/** The checks of what a client asks a view for: a named, clear error for each. */
import { InvalidInputError } from '@partnerships/domain/common/errors';
import { isId } from '@partnerships/domain/common/input';
import { parseStreamId } from '@partnerships/domain/commands';

export function checkId(field: string, id: string): string {
  if (!isId(id))
    throw new InvalidInputError(field, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
  return id;
}

/** A stream id of an entity: organization-<id>, group-<id> or partnership-<id>. */
export function checkStreamId(field: string, streamId: string): string {
  const target = parseStreamId(streamId);
  if (target === undefined || !isId(target.id)) {
    throw new InvalidInputError(field, 'must be organization-<id>, group-<id> or partnership-<id>');
  }
  return streamId;
}
