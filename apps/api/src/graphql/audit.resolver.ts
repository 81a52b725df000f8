import { Inject } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { AuditDigest, issueDigest } from '@partnerships/audit/digest';
import { toHex } from '@partnerships/audit/hashes';
import { InvalidInputError } from '@partnerships/domain/common/errors';
import { isId } from '@partnerships/domain/common/input';
import { Allow } from '../auth/allow.decorator';
import { CLOCK, Clock } from '../clock';
import { AuditConfig } from '../config';
import { AUDIT_CONFIG } from '../read-model/audit-config';
import { ReadModel } from '../read-model/read-model';

export interface AuditInclusionProofNode {
  readonly eventId: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly path: string[];
}

/** The log's Merkle tree (digests and RFC 9162 proofs), for auditors and managers. */
@Resolver('Query')
@Allow('auditor')
export class AuditResolver {
  constructor(
    private readonly readModel: ReadModel,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Query()
  auditDigest(@Args('treeSize') treeSize: number | null): AuditDigest {
    const tree = this.readModel.audit.tree;
    const size = checkTreeSize(this.readModel, 'treeSize', treeSize);
    return issueDigest(size, tree.root(size), this.clock.now(), this.config.signingKey);
  }

  @Query()
  auditConsistencyProof(
    @Args('fromSize') fromSize: number,
    @Args('toSize') toSize: number | null,
  ): string[] {
    const to = checkTreeSize(this.readModel, 'toSize', toSize);
    const from = checkTreeSize(this.readModel, 'fromSize', fromSize);
    if (from > to) throw new InvalidInputError('fromSize', `must not exceed toSize (${to})`);
    return this.readModel.audit.tree.consistencyProof(from, to).map(toHex);
  }

  @Query()
  auditInclusionProof(
    @Args('eventId') eventId: string,
    @Args('treeSize') treeSize: number | null,
  ): AuditInclusionProofNode {
    const audit = this.readModel.audit;
    const size = checkTreeSize(this.readModel, 'treeSize', treeSize);
    const leafIndex = isId(eventId) ? audit.leafIndexOf(eventId) : undefined;
    if (leafIndex === undefined) {
      throw new InvalidInputError('eventId', 'is not the id of a recorded event');
    }
    if (leafIndex >= size) {
      throw new InvalidInputError(
        'treeSize',
        `must be more than the event's leaf index ${leafIndex}`,
      );
    }
    return {
      eventId,
      leafIndex,
      treeSize: size,
      leafHash: toHex(audit.tree.leaf(leafIndex)),
      path: audit.tree.inclusionProof(leafIndex, size).map(toHex),
    };
  }

  @Query()
  auditPublicKey(): string | null {
    return this.config.signingKey?.publicKeyPem ?? null;
  }
}

/** A tree size the log holds; absent means the whole log as served now. */
function checkTreeSize(
  readModel: ReadModel,
  field: string,
  value: number | null | undefined,
): number {
  const size = readModel.audit.size;
  if (value == null) return size;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, 'must not be negative');
  }
  if (value > size) {
    throw new InvalidInputError(field, `is beyond the log, which holds ${size} events`);
  }
  return value;
}
