/**
 * The dashboard: sign-in, the time controls, the network (picture or tables), details,
 * stats, the live feed, and for managers the forms. State lives in the URL.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { GraphQLErrors, NetworkError, storeCredential, storedCredential } from './graphql/client';
import { Access, probeAccess } from './graphql/role';
import { LiveEvent, LiveFeed } from './graphql/live';
import {
  DOT_BUDGET,
  MemberCache,
  NetworkData,
  Stats,
  firstEffectiveAt,
  loadGroupFocus,
  loadMembers,
  loadStats,
  loadView,
  prefetchFirstPage,
} from './network-data';
import { compareSnapshots } from './layout/compare';
import { ViewState, formatState, parseState } from './url-state';
import { Legend, NetworkPicture } from './views/network-picture';
import { NetworkTable, day } from './views/network-table';
import { Details, eventWords } from './views/details';
import { COMMANDS } from './views/commands';
import { CommandForm, choicesOf } from './views/command-form';
import { EventLog } from './views/event-log';

const DAY = 86_400_000;

export function App() {
  const [access, setAccess] = useState<Access | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const probe = useCallback(() => {
    setAccess(null);
    prefetchFirstPage();
    probeAccess(storedCredential() !== null).then(setAccess, (error: unknown) =>
      setFatal(
        error instanceof NetworkError
          ? `The server does not answer (${error.message}).`
          : `Could not start: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }, []);
  useEffect(probe, [probe]);

  const signIn = (credential: string | null) => {
    storeCredential(credential);
    probe();
  };

  if (fatal !== null) return <p class="error page-error">{fatal}</p>;
  if (access === null) return <p class="loading">Loading…</p>;
  if (access.kind === 'needs-sign-in') {
    return <SignIn rejected={access.rejected} onSignIn={signIn} />;
  }
  return <Dashboard role={access.role} open={access.open} onSignOut={() => signIn(null)} />;
}

function SignIn({ rejected, onSignIn }: { rejected: boolean; onSignIn: (c: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main class="sign-in">
      <h1>Partnership tracker</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSignIn(value);
        }}
      >
        <label for="credential">API key or JWT</label>
        <input
          id="credential"
          type="password"
          autocomplete="off"
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
          aria-invalid={rejected}
          aria-describedby={rejected ? 'sign-in-error' : undefined}
        />
        <button type="submit">Sign in</button>
        {rejected && (
          <p id="sign-in-error" class="field-error" role="alert">
            Sign-in failed: the server did not accept this key or token. Check it (or ask for a new
            one) and try again.
          </p>
        )}
        <p class="muted">
          It is kept only in this tab (session storage) and sent with every request.
        </p>
      </form>
    </main>
  );
}

function Dashboard({
  role,
  open,
  onSignOut,
}: {
  role: 'viewer' | 'auditor' | 'manager';
  open: boolean;
  onSignOut: () => void;
}) {
  const [requested, setStateRaw] = useState<ViewState>(() => parseState(location.search));
  // A link may name a tab this role does not have: show the network instead.
  const allowedTab =
    (requested.tab === 'record' && role !== 'manager') ||
    (requested.tab === 'log' && role === 'viewer')
      ? 'network'
      : requested.tab;
  const state = { ...requested, tab: allowedTab };
  const setState = useCallback((change: Partial<ViewState>) => {
    setStateRaw((previous) => {
      const next = { ...previous, ...change };
      history.replaceState(null, '', formatState(next) || location.pathname);
      return next;
    });
  }, []);
  const canTravel = role !== 'viewer';
  const times = useMemo(
    () =>
      canTravel
        ? {
            ...(state.asOf !== null ? { asOf: state.asOf } : {}),
            ...(state.knownAt !== null ? { knownAt: state.knownAt } : {}),
          }
        : {},
    [canTravel, state.asOf, state.knownAt],
  );
  const [revision, setRevision] = useState(0);
  const dotBudget = state.dots ?? DOT_BUDGET;
  const [current, setCurrent] = useState<NetworkData | null>(null);
  const [base, setBase] = useState<NetworkData | null>(null);
  const [network, setNetwork] = useState<NetworkData | null>(null);
  const [before, setBefore] = useState<NetworkData | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const loadMillis = useRef(100);
  // A large network's groups whose members are loaded: those in view, and those asked for.
  const [inView, setInView] = useState<readonly string[]>([]);
  const [asked, setAsked] = useState<readonly string[]>([]);
  const wanted = useMemo(() => [...new Set([...asked, ...inView])], [asked, inView]);
  const wantedKey = wanted.join('|');
  const cache = useMemo(() => new MemberCache(), [revision]);

  // The network now: drawn as its pages arrive (a large one), then kept for the forms.
  useEffect(() => {
    const controller = new AbortController();
    const started = performance.now();
    loadView(
      {},
      controller.signal,
      (partial) => !controller.signal.aborted && setCurrent(partial),
      dotBudget,
    ).then(
      (loaded) => {
        loadMillis.current = performance.now() - started;
        setCurrent(loaded);
        setNow(Date.now());
      },
      (failure: unknown) => !controller.signal.aborted && setError(describe(failure)),
    );
    return () => controller.abort();
  }, [revision, dotBudget]);

  // The view at the chosen times: the whole network, or the one group it is focused on.
  const focus = state.group;
  const load = useCallback(
    (at: { asOf?: string; knownAt?: string }, signal: AbortSignal) =>
      focus === null
        ? loadView(at, signal, undefined, dotBudget)
        : loadGroupFocus(focus, at, signal),
    [focus, dotBudget],
  );
  useEffect(() => {
    if (focus === null && times.asOf === undefined && times.knownAt === undefined) {
      setBase(current);
      return;
    }
    // A moment's wait lets a dragged slider settle; a newer time aborts the older request.
    // A large network's overview is many requests: it waits a little longer.
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        load(times, controller.signal).then(
          (loaded) => {
            setBase(loaded);
            setError(null);
          },
          (failure: unknown) => !controller.signal.aborted && setError(describe(failure)),
        );
      },
      focus === null && current?.large === true ? 150 : 16,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [times, current, load]);

  // The members of the groups looked at, in a large network; loaded once per pair of times.
  const shownRef = useRef<NetworkData | null>(null);
  shownRef.current = network;
  useEffect(() => {
    if (base === null || !base.large) {
      setNetwork(base);
      return;
    }
    const controller = new AbortController();
    // Members already drawn stay until their new ones arrive: no flicker while events come.
    const shown = shownRef.current;
    const progressive =
      shown === null || !shown.large || shown.groups.every((g) => g.members === null);
    if (progressive) setNetwork(base);
    loadMembers(base, wanted, cache, controller.signal, (filled) => {
      if (progressive && !controller.signal.aborted) setNetwork(filled);
    }).then(
      (filled) => !controller.signal.aborted && setNetwork(filled),
      (failure: unknown) => !controller.signal.aborted && setError(describe(failure)),
    );
    return () => controller.abort();
  }, [base, wantedKey, cache]);

  // The tiles: the network's counts at the chosen times, asked apart from the picture and
  // only once the picture for those times is in and the times have rested for a second:
  // the counts walk the whole network (about a second at 1M events on a busy machine), and
  // the server answers one request at a time, so asked earlier they would hold up the
  // picture (the first one, and the next move of a slider being dragged).
  const shownTimes = network === null ? null : `${network.asOf}|${network.knownAt}`;
  useEffect(() => {
    if (shownTimes === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      loadStats(times, controller.signal).then(
        setStats,
        (failure: unknown) => !controller.signal.aborted && setError(describe(failure)),
      );
    }, 1_000);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [shownTimes]);

  useEffect(() => {
    if (!canTravel || state.compareFrom === null) {
      setBefore(null);
      return;
    }
    const controller = new AbortController();
    const then = {
      asOf: state.compareFrom,
      ...(times.knownAt !== undefined ? { knownAt: times.knownAt } : {}),
    };
    load(then, controller.signal)
      .then((loaded) =>
        loaded.large ? loadMembers(loaded, wanted, cache, controller.signal) : loaded,
      )
      .then(
        (loaded) => !controller.signal.aborted && setBefore(loaded),
        (failure: unknown) => !controller.signal.aborted && setError(describe(failure)),
      );
    return () => controller.abort();
  }, [canTravel, state.compareFrom, times.knownAt, revision, load, wantedKey, cache]);

  const changes = useMemo(
    () => (before !== null && network !== null ? compareSnapshots(before, network) : []),
    [before, network],
  );

  // Live: every recorded event goes to the feed; the view reloads at most every so often,
  // never more often than it takes to load, so a busy log cannot swamp the page.
  const [feed, setFeed] = useState<LiveEvent[]>([]);
  const [connection, setConnection] = useState<'connecting' | 'live' | 'dropped'>('connecting');
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadSoon = useCallback(() => {
    if (reloadTimer.current !== null) return;
    reloadTimer.current = setTimeout(
      () => {
        reloadTimer.current = null;
        setRevision((r) => r + 1);
      },
      Math.max(250, 3 * loadMillis.current),
    );
  }, []);
  useEffect(() => {
    if (role === 'viewer') return;
    const live = new LiveFeed({
      onEvent: (event) => {
        setFeed((previous) => [event, ...previous].slice(0, 8));
        reloadSoon();
      },
      onStatus: setConnection,
      onGap: reloadSoon,
    });
    live.start(null);
    return () => live.stop();
  }, [role, reloadSoon]);

  const start = current === null ? null : firstEffectiveAt(current);
  const empty =
    current !== null &&
    !current.large &&
    current.stats !== null &&
    current.stats.organizations === 0 &&
    current.stats.groups === 0;
  const select = useCallback((selected: string | null) => setState({ selected }), [setState]);

  return (
    <div class="app">
      <header>
        <h1>Partnership network</h1>
        <nav aria-label="Views">
          <TabButton tab="network" label="Network" state={state} setState={setState} />
          {role === 'manager' && (
            <TabButton tab="record" label="Record" state={state} setState={setState} />
          )}
          {role !== 'viewer' && (
            <TabButton tab="log" label="Event log" state={state} setState={setState} />
          )}
        </nav>
        <span class="who">
          {open ? 'Open server (no sign-in needed)' : `Signed in as ${role}`}
          {!open && (
            <button class="link-button" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      {connection === 'dropped' && role !== 'viewer' && (
        <div class="banner" role="alert">
          Connection to the server lost — reconnecting; the view catches up when it is back.
        </div>
      )}
      {error !== null && (
        <div class="banner" role="alert">
          {error}
        </div>
      )}
      {canTravel ? (
        start !== null && (
          <TimeControls
            start={start}
            end={now}
            state={state}
            setState={setState}
            shown={network?.partial === false ? network.asOf : null}
          />
        )
      ) : (
        <p class="muted time-note">
          Showing the network now. Going back in time needs the auditor or manager role.
        </p>
      )}
      <div class="top-row">
        {empty ? (
          <EmptyState manager={role === 'manager'} />
        ) : (
          stats !== null && <StatsTiles stats={stats} />
        )}
        {role !== 'viewer' && (
          <aside class="feed" aria-label="Just recorded">
            <h2>
              Just recorded{' '}
              <span class={`status status-${connection}`}>
                {connection === 'live'
                  ? '● live'
                  : connection === 'connecting'
                    ? '○ connecting'
                    : '○ offline'}
              </span>
            </h2>
            {feed.length === 0 && <p class="muted">Nothing yet since you opened the page.</p>}
            <ul>
              {feed.map((event) => (
                <li key={event.position}>
                  <code>{event.streamId}</code> {eventWords(event.type)}{' '}
                  <span class="muted">{event.recordedAt.slice(11, 19)}</span>
                </li>
              ))}
            </ul>
          </aside>
        )}
      </div>
      <main class={state.selected !== null ? 'with-details' : ''}>
        <div class="main-column">
          {state.tab === 'network' && network !== null && !empty && (
            <>
              <div class="view-toggle">
                <button
                  aria-pressed={state.view === 'picture'}
                  onClick={() => setState({ view: 'picture' })}
                >
                  Picture
                </button>
                <button
                  aria-pressed={state.view === 'table'}
                  onClick={() => setState({ view: 'table' })}
                >
                  Table
                </button>
                {network.focus !== null && (
                  <span class="focus-note">
                    Only{' '}
                    {network.groups[0]?.name ?? `group ${network.focus} (not there at this time)`}{' '}
                    <button class="link-button" onClick={() => setState({ group: null })}>
                      Show the whole network
                    </button>
                  </span>
                )}
                <span class="as-of-label" aria-live="polite">
                  As of {network.asOf.slice(0, 10)}, as known at{' '}
                  {network.knownAt.slice(0, 16).replace('T', ' ')}
                </span>
              </div>
              {state.view === 'picture' ? (
                <>
                  <NetworkPicture
                    network={network}
                    changes={changes}
                    onSelect={select}
                    onGroupsInView={setInView}
                    dotBudget={dotBudget}
                  />
                  <Legend />
                </>
              ) : (
                <NetworkTable
                  network={network}
                  changes={changes}
                  onSelect={select}
                  onShowMembers={(groupId) => setAsked((list) => [...list, groupId])}
                />
              )}
              {before !== null && (
                <ChangeList changes={changes} from={before.asOf} to={network.asOf} />
              )}
            </>
          )}
          {state.tab === 'record' && role === 'manager' && (
            <div class="forms">
              {COMMANDS.map((spec) => (
                <CommandForm
                  key={spec.name}
                  spec={spec}
                  choices={choicesOf(current)}
                  onRecorded={() => setRevision((r) => r + 1)}
                />
              ))}
            </div>
          )}
          {state.tab === 'log' && role !== 'viewer' && (
            <EventLog knownAt={state.knownAt} revision={revision} />
          )}
        </div>
        {state.selected !== null && (
          <Details
            selected={state.selected}
            times={times}
            role={role}
            revision={revision}
            onSelect={select}
            onFocusGroup={(group) => setState({ group, tab: 'network' })}
          />
        )}
      </main>
    </div>
  );
}

function TabButton({
  tab,
  label,
  state,
  setState,
}: {
  tab: ViewState['tab'];
  label: string;
  state: ViewState;
  setState: (change: Partial<ViewState>) => void;
}) {
  return (
    <button aria-pressed={state.tab === tab} onClick={() => setState({ tab })}>
      {label}
    </button>
  );
}

function TimeControls({
  start,
  end,
  state,
  setState,
  shown,
}: {
  start: number;
  end: number;
  state: ViewState;
  setState: (change: Partial<ViewState>) => void;
  /** The valid time the picture shows once drawn; play waits for each step to be drawn. */
  shown: string | null;
}) {
  const [playing, setPlaying] = useState(false);
  const asOf = state.asOf === null ? end : Math.min(end, Date.parse(state.asOf));
  const knownAt = state.knownAt === null ? end : Math.min(end, Date.parse(state.knownAt));
  const toIso = (value: number) => (value >= end ? null : new Date(value).toISOString());
  const step = Math.max(DAY, Math.round((end - start) / 60));
  const drawn = state.asOf === null || (shown !== null && Date.parse(shown) === asOf);
  useEffect(() => {
    if (!playing || !drawn) return;
    const timer = setTimeout(() => {
      const next = asOf + step;
      if (next >= end) {
        setPlaying(false);
        setState({ asOf: null });
      } else setState({ asOf: new Date(next).toISOString() });
    }, 450);
    return () => clearTimeout(timer);
  }, [playing, asOf, drawn]);
  const dateValue = (value: number) => new Date(value).toISOString().slice(0, 10);
  const fromDate = (text: string) => {
    const value = Date.parse(`${text}T23:59:59.999Z`);
    return Number.isNaN(value) ? null : toIso(Math.min(end, value));
  };
  return (
    <section class="time" aria-label="Time">
      <div class="time-row">
        <label for="as-of">As it stood on</label>
        <input
          id="as-of"
          type="range"
          min={start}
          max={end}
          step={3_600_000}
          value={asOf}
          aria-valuetext={dateValue(asOf)}
          onInput={(event) => setState({ asOf: toIso(Number(event.currentTarget.value)) })}
        />
        <input
          type="date"
          aria-label="As of date"
          value={dateValue(asOf)}
          min={dateValue(start)}
          max={dateValue(end)}
          onChange={(event) => setState({ asOf: fromDate(event.currentTarget.value) })}
        />
        <button onClick={() => setState({ asOf: null })} disabled={state.asOf === null}>
          Now
        </button>
        <button
          aria-pressed={playing}
          onClick={() => {
            if (!playing && state.asOf === null) setState({ asOf: new Date(start).toISOString() });
            setPlaying(!playing);
          }}
        >
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
      </div>
      <div class="time-row">
        <label for="known-at">As known on</label>
        <input
          id="known-at"
          type="range"
          min={start}
          max={end}
          step={3_600_000}
          value={knownAt}
          aria-valuetext={dateValue(knownAt)}
          onInput={(event) => setState({ knownAt: toIso(Number(event.currentTarget.value)) })}
        />
        <input
          type="datetime-local"
          aria-label="Known at time"
          value={new Date(knownAt).toISOString().slice(0, 16)}
          onChange={(event) => {
            const value = Date.parse(`${event.currentTarget.value}:00Z`);
            if (!Number.isNaN(value)) setState({ knownAt: toIso(Math.min(end, value)) });
          }}
        />
        <button onClick={() => setState({ knownAt: null })} disabled={state.knownAt === null}>
          Now
        </button>
      </div>
      <div class="time-row">
        <label>
          <input
            type="checkbox"
            checked={state.compareFrom !== null}
            onChange={(event) =>
              setState({
                compareFrom: event.currentTarget.checked
                  ? new Date(Math.max(start, asOf - 365 * DAY)).toISOString()
                  : null,
              })
            }
          />{' '}
          Compare with
        </label>
        {state.compareFrom !== null && (
          <input
            type="date"
            aria-label="Compare with date"
            value={state.compareFrom.slice(0, 10)}
            onChange={(event) => {
              const value = Date.parse(`${event.currentTarget.value}T23:59:59.999Z`);
              if (!Number.isNaN(value)) setState({ compareFrom: new Date(value).toISOString() });
            }}
          />
        )}
      </div>
    </section>
  );
}

function StatsTiles({ stats: s }: { stats: Stats }) {
  const tiles: [string, number | string][] = [
    ['Organisations', s.organizations],
    ['Active groups', `${s.activeGroups} of ${s.groups}`],
    ['Memberships', s.activeMemberships],
    [
      'Core · ring · free space',
      `${s.membersByPosition.core} · ${s.membersByPosition.ring} · ${s.membersByPosition.freeSpace}`,
    ],
    ['Active partnerships', s.activePartnerships],
    ['Overdue', s.overduePartnerships],
    ['Ended partnerships', s.endedPartnerships],
  ];
  return (
    <section class="stats" aria-label="Network statistics">
      {tiles.map(([label, value]) => (
        <div class="tile" key={label}>
          <div class="tile-value">{value}</div>
          <div class="tile-label">{label}</div>
        </div>
      ))}
    </section>
  );
}

function ChangeList({
  changes,
  from,
  to,
}: {
  changes: ReturnType<typeof compareSnapshots>;
  from: string;
  to: string;
}) {
  const words = (change: (typeof changes)[number]) => {
    switch (change.kind) {
      case 'joined':
        return `${change.name} joined ${change.groupName} (${change.position.toLowerCase().replace('_', ' ')})`;
      case 'left':
        return `${change.name} left ${change.groupName}`;
      case 'moved':
        return `${change.name} moved in ${change.groupName}: ${change.from.toLowerCase().replace('_', ' ')} → ${change.to.toLowerCase().replace('_', ' ')}`;
      case 'formed':
        return `Partnership ${change.name} formed`;
      case 'ended':
        return `Partnership ${change.name} ended`;
    }
  };
  return (
    <section class="changes" aria-label="Changes">
      <h2>
        What changed between {day(from)} and {day(to)} ({changes.length})
      </h2>
      <p class="muted">
        In the picture: joined members have a thick outline, moved ones a dashed outline, those who
        left are hollow; formed partnerships are drawn thick.
      </p>
      <ul>
        {changes.map((change, index) => (
          <li key={index} class={`change change-${change.kind}`}>
            <strong>{change.kind}</strong>: {words(change)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EmptyState({ manager }: { manager: boolean }) {
  return (
    <section class="empty">
      <h2>Nothing recorded yet</h2>
      <p>
        The network appears here once organisations are registered and groups founded.{' '}
        {manager
          ? 'Open “Record” above to register the first organisations, found a group, and let them join it.'
          : 'A manager records them; ask one, or come back later.'}
      </p>
      <p>
        To look around first, run <code>npm run demo</code>: it starts the server on a separate demo
        file filled with a few years of a generated network.
      </p>
    </section>
  );
}

function describe(error: unknown): string {
  if (error instanceof GraphQLErrors) {
    return error.code === 'FORBIDDEN'
      ? 'Your role may not see this view.'
      : `The server refused: ${error.message}`;
  }
  if (error instanceof NetworkError) return `The server does not answer (${error.message}).`;
  return error instanceof Error ? error.message : String(error);
}
