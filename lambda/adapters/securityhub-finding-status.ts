import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { SgRevokeError } from '../core/errors';
import type { FindingStatusWriter, StatusUpdate } from '../core/status-sync';
import { translated } from './aws-errors';

/** Security Hub answered, but did not update the finding: thrown so the event is retried, then DLQ. */
export class FindingNotUpdatedError extends SgRevokeError {
  override readonly name = 'FindingNotUpdatedError';
}

const NOTE_AUTHOR = 'sg-revoke';

/**
 * Writes a source finding's status back: `BatchUpdateFindingsV2` for OCSF findings, ASFF
 * `BatchUpdateFindings` for the others. Both answer 200 with the findings they could not update in
 * `UnprocessedFindings`; a non-empty list is a failure, never a success.
 */
export class SecurityHubFindingStatus implements FindingStatusWriter {
  constructor(private readonly client: SecurityHubClient) {}

  async write(update: StatusUpdate): Promise<void> {
    if (update.kind === 'securityhub-ocsf') {
      const out = await translated('BatchUpdateFindingsV2', () =>
        this.client.send(
          new BatchUpdateFindingsV2Command({
            FindingIdentifiers: [update.identifier],
            StatusId: update.statusId,
            Comment: update.comment,
          }),
        ),
      );
      const unprocessed = out.UnprocessedFindings ?? [];
      if (unprocessed.length > 0) {
        const why = unprocessed.map((u) => `${u.ErrorCode ?? 'error'}: ${u.ErrorMessage ?? ''}`).join('; ');
        throw new FindingNotUpdatedError(`BatchUpdateFindingsV2 left the finding unprocessed: ${why}`);
      }
      return;
    }
    const out = await translated('BatchUpdateFindings', () =>
      this.client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [update.identifier],
          Workflow: { Status: update.workflowStatus },
          Note: { Text: update.note, UpdatedBy: NOTE_AUTHOR },
        }),
      ),
    );
    const unprocessed = out.UnprocessedFindings ?? [];
    if (unprocessed.length > 0) {
      const why = unprocessed.map((u) => `${u.ErrorCode ?? 'error'}: ${u.ErrorMessage ?? ''}`).join('; ');
      throw new FindingNotUpdatedError(`BatchUpdateFindings left the finding unprocessed: ${why}`);
    }
  }
}
