import { type Page, type TaskView } from '@hivemind/contracts';
import { type ApiClient } from '../api/api-client';
import { CliError } from '../exit-codes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f][0-9a-f-]{3,34}$/i;

/**
 * A task id, or a unique prefix of one (at least 4 characters) among the newest 500 tasks you can
 * see; anything else — your own client reference for a task, say — is passed on as it is (the pool
 * resolves it, or answers 404).
 */
export async function resolveTaskId(api: ApiClient, ref: string, signal?: AbortSignal): Promise<string> {
  if (UUID.test(ref) || !PREFIX.test(ref)) return ref;
  const page = await api.request<Page<TaskView>>('GET', '/api/tasks', {
    query: { all: true, limit: 500 },
    signal,
  });
  const matches = page.items.filter((t) => t.id.startsWith(ref.toLowerCase()));
  if (matches.length === 1) return matches[0].id;
  if (!matches.length) return ref; // a client reference that looks like hex, or nothing (404)
  throw new CliError(
    `${ref} is the start of ${matches.length} task ids (${matches
      .slice(0, 3)
      .map((t) => t.id)
      .join(', ')}${matches.length > 3 ? ', …' : ''}): give more of it`,
  );
}
