/** The auditor's view of the log: every recorded event in commit order, limited to what had
 * been recorded by the "known at" time. */
import { useEffect, useState } from 'preact/hooks';
import { EventLogDocument, EventLogQuery } from '../graphql/generated';
import { request } from '../graphql/client';
import { eventWords } from './details';

type Row = EventLogQuery['events']['edges'][number]['node'];

export function EventLog({ knownAt, revision }: { knownAt: string | null; revision: number }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (after: string | null, previous: Row[]) => {
    try {
      const { events } = await request(EventLogDocument, after === null ? {} : { after });
      setRows([...previous, ...events.edges.map((edge) => edge.node)]);
      setNext(events.pageInfo.hasNextPage ? events.pageInfo.endCursor : null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => {
    void load(null, []);
  }, [revision]);
  const limit = knownAt === null ? Infinity : Date.parse(knownAt);
  const visible = rows.filter((row) => Date.parse(row.recordedAt) <= limit);
  return (
    <section class="event-log">
      <h2>Event log</h2>
      <p class="muted">
        {visible.length} of {rows.length} loaded events had been recorded by the “known at” time
        {knownAt === null ? ' (now)' : ` (${knownAt.slice(0, 16).replace('T', ' ')})`}.
      </p>
      {error !== null && <p class="error">{error}</p>}
      <table aria-label="Event log">
        <thead>
          <tr>
            <th scope="col">Recorded</th>
            <th scope="col">Took effect</th>
            <th scope="col">Stream</th>
            <th scope="col">Event</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {visible.map((row) => (
            <tr key={row.position}>
              <td>{row.recordedAt.slice(0, 16).replace('T', ' ')}</td>
              <td>{row.effectiveAt.slice(0, 16).replace('T', ' ')}</td>
              <td>
                <code>{row.streamId}</code>
              </td>
              <td>{eventWords(row.type)}</td>
              <td>{row.actor ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next !== null && <button onClick={() => void load(next, rows)}>Load more</button>}
    </section>
  );
}
