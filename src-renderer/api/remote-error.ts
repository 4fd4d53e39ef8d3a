/** An error the core answered with (over HTTP or IPC), rebuilt on this side. No DOM here: tests and the fake API use it too. */
import type { ApiErrorBody } from '../../src-shared/api/contract';
import { WorkbenchError, kindOfStatus } from '../../src-shared/errors';

/** Its kind, field and fix are the core's, so the UI can place it by field and show the fix. */
export class RemoteApiError extends WorkbenchError {
  readonly status: number;
  constructor(readonly body: ApiErrorBody) {
    super(body.message, { kind: body.kind ?? kindOfStatus(body.status), field: body.field, fix: body.fix });
    this.name = body.name;
    this.status = body.status;
  }
}
