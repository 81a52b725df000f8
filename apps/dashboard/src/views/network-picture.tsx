/**
 * The picture: every group as three concentric rings with its members in them, one
 * organisation's dots in several groups joined by a dotted line, partnerships as lines
 * between their parties. D3 draws into the SVG; the layout comes from layout/.
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { select } from 'd3-selection';
import { ZoomBehavior, zoom, zoomIdentity, zoomTransform } from 'd3-zoom';
import { NetworkData } from '../network-data';
import { Change } from '../layout/compare';
import { NetworkLayout, PlacedNode, layoutNetwork, nodeKey } from '../layout/network-layout';
import { DEFAULT_RING_OPTIONS } from '../layout/rings';
import { PlacedLabel, placeLabels } from '../layout/labels';
import {
  BAND_FILL,
  POSITION_COLOUR,
  POSITION_LABEL,
  SAME_ORGANISATION,
  TERM_STYLE,
} from './palette';

/** The names' size beside the dots (`.node-label` in styles.css). */
const LABEL_FONT_PX = 11;

export interface PictureProps {
  readonly network: NetworkData;
  /** Changes since the compared time; empty when not comparing. */
  readonly changes: readonly Change[];
  readonly onSelect: (selected: string) => void;
  /**
   * A large network: the groups now in view and large enough on screen to show their
   * dots, nearest the middle first, as many as `dotBudget` members allow. Called after
   * every zoom or pan, and after the picture is fitted.
   */
  readonly onGroupsInView?: (groupIds: readonly string[]) => void;
  readonly dotBudget: number;
}

/** A dot at least this many pixels across on screen is worth drawing. */
const LEGIBLE_DOT_PX = 3;

interface Link {
  readonly key: string;
  readonly kind: 'same' | 'partnership';
  readonly partnershipId?: string;
  readonly style: { colour: string; dash: string; width: number };
  readonly a: PlacedNode;
  readonly b: PlacedNode;
  readonly formed: boolean;
}

function linksOf(network: NetworkData, layout: NetworkLayout, formed: ReadonlySet<string>): Link[] {
  const byOrganization = new Map<string, PlacedNode[]>();
  for (const node of layout.nodes) {
    const list = byOrganization.get(node.organizationId) ?? [];
    list.push(node);
    byOrganization.set(node.organizationId, list);
  }
  const links: Link[] = [];
  for (const [organizationId, nodes] of byOrganization) {
    for (let index = 1; index < nodes.length; index++) {
      links.push({
        key: `same|${organizationId}|${index}`,
        kind: 'same',
        style: SAME_ORGANISATION,
        a: nodes[index - 1]!,
        b: nodes[index]!,
        formed: false,
      });
    }
  }
  const byKey = new Map(layout.nodes.map((node) => [node.key, node]));
  for (const partnership of network.partnerships) {
    // Inside its own group, or else inside a group all its parties share, so that lines stay
    // within one set of rings wherever they can.
    const groupId =
      partnership.groupId ??
      layout.groups.find((group) =>
        partnership.partyIds.every((id) => byKey.has(nodeKey(group.id, id))),
      )?.id ??
      null;
    const ends = partnership.partyIds
      .map(
        (id) =>
          (groupId !== null ? byKey.get(nodeKey(groupId, id)) : undefined) ??
          byOrganization.get(id)?.[0],
      )
      .filter((node): node is PlacedNode => node !== undefined);
    for (let i = 0; i < ends.length; i++) {
      for (let j = i + 1; j < ends.length; j++) {
        links.push({
          key: `p|${partnership.id}|${i}|${j}`,
          kind: 'partnership',
          partnershipId: partnership.id,
          style: TERM_STYLE[partnership.termStatus],
          a: ends[i]!,
          b: ends[j]!,
          formed: formed.has(partnership.id),
        });
      }
    }
  }
  return links;
}

export function NetworkPicture({
  network,
  changes,
  onSelect,
  onGroupsInView,
  dotBudget,
}: PictureProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const tooltipRef = useRef<HTMLDivElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const layout = useMemo(
    () =>
      layoutNetwork(
        network.groups.map((group) => ({
          id: group.id,
          members: group.members,
          counts: group.counts,
        })),
        network.loose,
        // A large network arrives page by page: the later groups are added after the others.
        network.large
          ? { order: 'given', expectedGroups: network.expectedGroups }
          : { expectedGroups: network.expectedGroups },
      ),
    [network],
  );
  const sizes = useMemo(
    () =>
      new Map(
        network.groups.map((g) => [g.id, g.counts.core + g.counts.ring + g.counts.freeSpace]),
      ),
    [network],
  );

  // Which groups deserve their dots: in view, legible, nearest the middle, within budget.
  const inViewRef = useRef<() => void>(() => undefined);
  inViewRef.current = () => {
    if (!network.large || onGroupsInView === undefined) return;
    const element = svgRef.current!;
    const box = element.getBoundingClientRect();
    const t = zoomTransform(element);
    if (2 * DEFAULT_RING_OPTIONS.nodeRadius * t.k < LEGIBLE_DOT_PX) {
      onGroupsInView([]);
      return;
    }
    const candidates = layout.groups
      .map((group) => {
        const x = t.applyX(group.cx);
        const y = t.applyY(group.cy);
        const r = group.layout.radius * t.k;
        const visible = x + r > 0 && x - r < box.width && y + r > 0 && y - r < box.height;
        return {
          id: group.id,
          visible,
          distance: Math.hypot(x - box.width / 2, y - box.height / 2),
        };
      })
      .filter((group) => group.visible)
      .sort((a, b) => a.distance - b.distance);
    const wanted: string[] = [];
    let dots = 0;
    for (const group of candidates) {
      const size = sizes.get(group.id) ?? 0;
      if (dots + size > dotBudget && wanted.length > 0) break;
      wanted.push(group.id);
      dots += size;
    }
    onGroupsInView(wanted);
  };

  // Fit the whole network into view, again whenever it or the box changes size, until the
  // person zooms or pans themselves.
  const userMovedRef = useRef(false);
  useEffect(() => {
    const element = svgRef.current!;
    const svg = select(element);
    const viewport = svg.select<SVGGElement>('g.viewport');
    if (zoomRef.current === null) {
      zoomRef.current = zoom<SVGSVGElement, unknown>()
        .scaleExtent([0.05, 8])
        .on('zoom', (event) => {
          if (event.sourceEvent !== null) userMovedRef.current = true;
          viewport.attr('transform', event.transform.toString());
        })
        .on('end', () => inViewRef.current());
      svg.call(zoomRef.current);
    }
    const fit = () => {
      if (userMovedRef.current || layout.width === 0) return inViewRef.current();
      const box = element.getBoundingClientRect();
      if (box.width === 0) return;
      const scale = Math.min(1.8, box.width / layout.width, box.height / layout.height) * 0.95;
      svg.call(
        zoomRef.current!.transform,
        zoomIdentity
          .translate(
            (box.width - layout.width * scale) / 2,
            (box.height - layout.height * scale) / 2,
          )
          .scale(scale),
      );
      inViewRef.current();
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    return () => observer.disconnect();
  }, [layout.width, layout.height]);

  useEffect(() => {
    const names = (id: string) => network.organizations.get(id)?.name ?? id;
    const groupName = new Map(network.groups.map((group) => [group.id, group.name]));
    const groupData = new Map(network.groups.map((group) => [group.id, group]));
    const joined = new Set<string>();
    const moved = new Set<string>();
    const formed = new Set<string>();
    for (const change of changes) {
      if (change.kind === 'joined') joined.add(nodeKey(change.groupId, change.organizationId));
      if (change.kind === 'moved') moved.add(nodeKey(change.groupId, change.organizationId));
      if (change.kind === 'formed') formed.add(change.partnershipId);
    }
    const viewport = select(svgRef.current!).select<SVGGElement>('g.viewport');
    const tooltip = select(tooltipRef.current!);

    const groups = viewport
      .select('g.groups')
      .selectAll<SVGGElement, (typeof layout.groups)[number]>('g.group')
      .data(layout.groups, (group) => group.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', 'group');
        g.append('g').attr('class', 'bands');
        g.append('text').attr('class', 'group-name');
        g.append('text').attr('class', 'group-counts');
        return g;
      })
      .attr('data-group', (group) => group.id)
      .classed('summary', (group) => groupData.get(group.id)?.members === null)
      .attr('transform', (group) => `translate(${group.cx},${group.cy})`)
      .on('mouseenter', (event: MouseEvent, group) => {
        const data = groupData.get(group.id);
        if (data === undefined || data.members !== null) return;
        showTooltip(
          event,
          `${data.name}: ${countWords(data.counts)} (zoom in to see them, or click for details)`,
        );
      })
      .on('mouseleave', hideTooltip);
    groups.select('g.bands').on('click', (_event, group) => onSelect(`group:${group.id}`));
    // A group drawn without its dots says how many each ring holds.
    groups
      .select('text.group-counts')
      .attr('text-anchor', 'middle')
      // Large enough to read while the whole network is in view.
      .style('font-size', (group) => `${Math.max(15, group.layout.radius / 5)}px`)
      .attr('y', (group) => Math.max(15, group.layout.radius / 5) / 3)
      .text((group) => {
        const data = groupData.get(group.id);
        return data === undefined || data.members !== null
          ? ''
          : `${data.counts.core} · ${data.counts.ring} · ${data.counts.freeSpace}`;
      });
    groups
      .select('g.bands')
      .selectAll('circle')
      .data((group) => [...group.layout.bands].reverse())
      .join('circle')
      .attr('r', (band) => band.outer)
      .attr('fill', (band) => BAND_FILL[band.position])
      .attr('stroke', (band) => POSITION_COLOUR[band.position])
      .attr('stroke-opacity', 0.35);
    groups
      .select('text.group-name')
      .attr('y', (group) => -group.layout.radius - 10)
      .attr('text-anchor', 'middle')
      .text((group) => groupName.get(group.id) ?? group.id)
      .on('click', (_event, group) => onSelect(`group:${group.id}`));

    const loose = viewport
      .select('g.loose')
      .selectAll('g')
      .data(layout.loose === null ? [] : [layout.loose])
      .join((enter) => {
        const g = enter.append('g');
        g.append('rect').attr('class', 'loose-outline');
        g.append('text').attr('class', 'group-name').text('In no group');
        return g;
      })
      .attr('transform', (cluster) => `translate(${cluster.cx},${cluster.cy})`);
    // A disc's outline is a circle; a list's a rounded box around its dots and names.
    loose
      .select('rect')
      .attr('x', (cluster) => -cluster.width / 2 - 6)
      .attr('y', (cluster) => -cluster.height / 2 - 6)
      .attr('width', (cluster) => cluster.width + 12)
      .attr('height', (cluster) => cluster.height + 12)
      .attr('rx', (cluster) => (cluster.shape === 'disc' ? cluster.radius + 6 : 10));
    loose
      .select('text')
      .attr('y', (cluster) => -cluster.height / 2 - 14)
      .attr('text-anchor', 'middle');

    const links = linksOf(network, layout, formed);
    viewport
      .select('g.links')
      .selectAll<SVGLineElement, Link>('line')
      .data(links, (link) => link.key)
      .join('line')
      .attr('class', (link) => `link ${link.kind}${link.formed ? ' formed' : ''}`)
      .attr('data-partnership', (link) => link.partnershipId ?? null)
      .attr('x1', (link) => link.a.x)
      .attr('y1', (link) => link.a.y)
      .attr('x2', (link) => link.b.x)
      .attr('y2', (link) => link.b.y)
      .attr('stroke', (link) => link.style.colour)
      .attr('stroke-dasharray', (link) => link.style.dash)
      .attr('stroke-width', (link) => link.style.width * (link.formed ? 2.2 : 1))
      .on('click', (_event, link) => {
        if (link.partnershipId !== undefined) onSelect(`partnership:${link.partnershipId}`);
      })
      .on('mouseenter', (event: MouseEvent, link) => {
        if (link.kind !== 'partnership') return;
        const partnership = network.partnerships.find((p) => p.id === link.partnershipId)!;
        showTooltip(
          event,
          `${partnership.name}: ${partnership.partyIds.map(names).join(', ')} (${TERM_STYLE[partnership.termStatus].label})`,
        );
      })
      .on('mouseleave', hideTooltip);

    const radius = DEFAULT_RING_OPTIONS.nodeRadius;
    viewport
      .select('g.nodes')
      .selectAll<SVGCircleElement, PlacedNode>('circle.node')
      .data(layout.nodes, (node) => node.key)
      .join('circle')
      .attr('class', (node) =>
        ['node', joined.has(node.key) ? 'joined' : '', moved.has(node.key) ? 'moved' : '']
          .join(' ')
          .trim(),
      )
      .attr('data-group', (node) => node.groupId ?? '')
      .attr('data-organization', (node) => node.organizationId)
      .attr('data-position', (node) => node.position ?? '')
      .attr('cx', (node) => node.x)
      .attr('cy', (node) => node.y)
      .attr('r', radius)
      .attr('fill', (node) => (node.position === null ? null : POSITION_COLOUR[node.position]))
      .classed('loose', (node) => node.position === null)
      .on('click', (_event, node) => onSelect(`organization:${node.organizationId}`))
      .on('mouseenter', (event: MouseEvent, node) => {
        // Hovering one dot lights up the organisation everywhere: its other dots and its links.
        const svg = select(svgRef.current!).classed('focused', true);
        svg
          .selectAll<SVGCircleElement, PlacedNode>('circle.node')
          .classed('same-organization', (other) => other.organizationId === node.organizationId);
        svg
          .selectAll<SVGLineElement, Link>('line.link')
          .classed(
            'focus',
            (link) =>
              link.a.organizationId === node.organizationId ||
              link.b.organizationId === node.organizationId,
          );
        const where =
          node.groupId === null
            ? 'in no group'
            : `${POSITION_LABEL[node.position!]} of ${groupName.get(node.groupId)}`;
        showTooltip(event, `${names(node.organizationId)} (${where})`);
      })
      .on('mouseleave', () => {
        const svg = select(svgRef.current!).classed('focused', false);
        svg.selectAll('circle.node').classed('same-organization', false);
        svg.selectAll('line.link').classed('focus', false);
        hideTooltip();
      });

    // Names beside the dots while there are few enough to read, each where it covers no
    // other dot or name (one with no such place is left to the hover); otherwise on hover.
    const labelled = layout.nodes.length <= 60 ? layout.nodes : [];
    const measure = document.createElement('canvas').getContext('2d');
    if (measure !== null) {
      measure.font = `${LABEL_FONT_PX}px ${getComputedStyle(svgRef.current!).fontFamily}`;
    }
    const nameOf = new Map(labelled.map((node) => [node.key, names(node.organizationId)]));
    const labels = placeLabels(
      labelled.map((node) => ({
        key: node.key,
        x: node.x,
        y: node.y,
        // Without a canvas (never in a browser), a generous guess per character.
        width:
          measure?.measureText(nameOf.get(node.key)!).width ?? nameOf.get(node.key)!.length * 7,
      })),
      { dotRadius: radius, height: LABEL_FONT_PX + 2, baseline: 4, gap: 3 },
    );
    viewport
      .select('g.labels')
      .selectAll<SVGTextElement, PlacedLabel>('text')
      .data(labels, (label) => label.key)
      .join('text')
      .attr('class', 'node-label')
      .attr('x', (label) => label.x)
      .attr('y', (label) => label.y)
      .attr('text-anchor', (label) => label.anchor)
      .text((label) => nameOf.get(label.key)!);

    // Members who left since the compared time: hollow rings where they stood.
    const ghosts = changes
      .filter((change) => change.kind === 'left')
      .map((change) => {
        if (change.kind !== 'left') return null;
        const group = layout.groups.find((g) => g.id === change.groupId);
        if (group === undefined) return null;
        const band = group.layout.bands.find((b) => b.position === change.position)!;
        const angle = (hash(change.organizationId) % 360) * (Math.PI / 180);
        const r = (band.inner + band.outer) / 2;
        return {
          key: nodeKey(change.groupId, change.organizationId),
          name: change.name,
          x: group.cx + r * Math.cos(angle),
          y: group.cy + r * Math.sin(angle),
        };
      })
      .filter((ghost) => ghost !== null);
    viewport
      .select('g.ghosts')
      .selectAll<SVGCircleElement, (typeof ghosts)[number]>('circle')
      .data(ghosts, (ghost) => ghost.key)
      .join('circle')
      .attr('class', 'ghost left')
      .attr('cx', (ghost) => ghost.x)
      .attr('cy', (ghost) => ghost.y)
      .attr('r', radius)
      .on('mouseenter', (event: MouseEvent, ghost) => showTooltip(event, `${ghost.name} (left)`))
      .on('mouseleave', hideTooltip);

    // Says which time the drawing shows, once it shows it (the benchmark waits for this).
    select(svgRef.current!)
      .attr('data-as-of', network.asOf)
      .attr('data-complete', network.partial ? 'false' : 'true')
      .attr(
        'data-detailed',
        network.groups.filter((group) => group.members !== null).length.toString(),
      );

    function showTooltip(event: MouseEvent, text: string) {
      const host = svgRef.current!.getBoundingClientRect();
      const x = event.clientX - host.left;
      tooltip
        .style('display', 'block')
        .style('top', `${event.clientY - host.top + 12}px`)
        .text(text);
      // Right of the pointer, or left of it where the picture's edge is nearer than the
      // text is long (a page on a phone must not grow wider than its screen).
      const width = tooltip.node()!.offsetWidth;
      const left = x + 12 + width <= host.width ? x + 12 : Math.max(0, x - 12 - width);
      tooltip.style('left', `${left}px`);
    }
    function hideTooltip() {
      tooltip.style('display', 'none');
    }
  }, [layout, network, changes, onSelect]);

  return (
    <div class="picture">
      <svg ref={svgRef} role="img" aria-label="The network: each group as three rings">
        <g class="viewport">
          <g class="groups" />
          <g class="loose" />
          <g class="links" />
          <g class="ghosts" />
          <g class="nodes" />
          <g class="labels" />
        </g>
      </svg>
      <div ref={tooltipRef} class="tooltip" role="tooltip" />
      <div class="zoom-hint">
        Scroll to zoom, drag to pan, click for details
        {network.large &&
          ' · a large network: each group shows its counts (core · ring · free space) until you zoom in on it'}
      </div>
    </div>
  );
}

function countWords(counts: { core: number; ring: number; freeSpace: number }): string {
  return `${counts.core} in the core, ${counts.ring} in the ring, ${counts.freeSpace} in the free space`;
}

function hash(text: string): number {
  let h = 0;
  for (let index = 0; index < text.length; index++) h = (h * 31 + text.charCodeAt(index)) >>> 0;
  return h;
}

export function Legend() {
  return (
    <div class="legend" aria-label="Legend">
      {(['CORE', 'RING', 'FREE_SPACE'] as const).map((position) => (
        <span class="legend-item" key={position}>
          <svg width="16" height="16" aria-hidden="true">
            <circle cx="8" cy="8" r="6" fill={POSITION_COLOUR[position]} stroke="#222" />
          </svg>
          {POSITION_LABEL[position]}
        </span>
      ))}
      {(['RUNNING', 'ENDING_SOON', 'OVERDUE'] as const).map((status) => (
        <span class="legend-item" key={status}>
          <svg width="30" height="16" aria-hidden="true">
            <line
              x1="2"
              y1="8"
              x2="28"
              y2="8"
              stroke={TERM_STYLE[status].colour}
              stroke-dasharray={TERM_STYLE[status].dash}
              stroke-width={TERM_STYLE[status].width}
            />
          </svg>
          partnership {TERM_STYLE[status].label}
        </span>
      ))}
      <span class="legend-item">
        <svg width="30" height="16" aria-hidden="true">
          <line
            x1="2"
            y1="8"
            x2="28"
            y2="8"
            stroke={SAME_ORGANISATION.colour}
            stroke-dasharray={SAME_ORGANISATION.dash}
            stroke-width={SAME_ORGANISATION.width}
          />
        </svg>
        the same organisation in another group
      </span>
    </div>
  );
}
