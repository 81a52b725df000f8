/** Ambition against what is realised, over time: two lines on a 1-5 scale (D3 scales and
 * shapes, already loaded for the rings). */
import { scaleLinear, scaleTime } from 'd3-scale';
import { line } from 'd3-shape';

export interface Assessment {
  readonly ambition: number;
  readonly realized: number;
  readonly assessedAt: string;
}

export function TrendChart({ assessments }: { assessments: readonly Assessment[] }) {
  if (assessments.length === 0) return <p class="muted">No capability assessed yet.</p>;
  const width = 320;
  const height = 150;
  const margin = { top: 10, right: 12, bottom: 24, left: 26 };
  const times = assessments.map((a) => Date.parse(a.assessedAt));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const x = scaleTime()
    .domain([new Date(first - 86_400_000), new Date(last + 86_400_000)])
    .range([margin.left, width - margin.right]);
  const y = scaleLinear()
    .domain([1, 5])
    .range([height - margin.bottom, margin.top]);
  const path = (value: (a: Assessment) => number) =>
    line<Assessment>()
      .x((a) => x(new Date(a.assessedAt)))
      .y((a) => y(value(a)))(assessments as Assessment[]) ?? '';
  const ticks = x.ticks(4);
  return (
    <figure class="trend">
      <svg width={width} height={height} role="img" aria-label="Capability over time">
        {[1, 2, 3, 4, 5].map((level) => (
          <g key={level}>
            <line
              x1={margin.left}
              x2={width - margin.right}
              y1={y(level)}
              y2={y(level)}
              class="grid"
            />
            <text x={margin.left - 6} y={y(level) + 4} text-anchor="end" class="tick">
              {level}
            </text>
          </g>
        ))}
        {ticks.map((tick) => (
          <text key={tick.getTime()} x={x(tick)} y={height - 6} text-anchor="middle" class="tick">
            {x.tickFormat(4)(tick)}
          </text>
        ))}
        <path d={path((a) => a.ambition)} class="ambition" />
        <path d={path((a) => a.realized)} class="realized" />
        {assessments.map((a) => (
          <g key={a.assessedAt}>
            <rect
              x={x(new Date(a.assessedAt)) - 4}
              y={y(a.ambition) - 4}
              width="8"
              height="8"
              class="ambition-point"
            />
            <circle
              cx={x(new Date(a.assessedAt))}
              cy={y(a.realized)}
              r="4"
              class="realized-point"
            />
          </g>
        ))}
      </svg>
      <figcaption>
        <span class="key ambition-key">■ ambition (dashed)</span>{' '}
        <span class="key realized-key">● realised (solid)</span>
      </figcaption>
    </figure>
  );
}
