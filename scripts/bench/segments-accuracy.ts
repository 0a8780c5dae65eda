/**
 * Accuracy of `segments` on the twelve demo kumbans, against the fixture generator's truth:
 *
 *   npx tsx scripts/bench/segments-accuracy.ts
 *
 * Prints per village IoU and boundary Hausdorff (sampled every 5 m, as the tests measure); per
 * internal boundary where the fitted walk is furthest from the true line (at a walk end, at a
 * true corner cut short, or a fitted line off the truth); and an oracle: each internal
 * boundary fitted by least squares to its cleaned fixes with the TRUE vertices as the model
 * (their number, started at their places, ends held at the true junctions, vertices no fix
 * pulls left in place). What the oracle misses, the fixes do not show. See docs/derive.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Feature, LineString, Position } from 'geojson';
import { boundaryHausdorffM, iou } from '../../server/derive/measure.js';
import { localFrame, toLocal } from '../../server/derive/local.js';
import { fitPolyline, removeSpikes, SEGMENTS_DEFAULTS, segmentsTessellation } from '../../server/derive/segments.js';
import { DEMO_DIR, demoSegmentsInput, readDemoAreas } from '../fixtures/demoSegments.js';

const areas = readDemoAreas();
const truthLines = (JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'boundaries.geojson'), 'utf8')).features as Feature<LineString | null, { kind: string; name: string }>[])
  .filter((f) => f.properties.kind === 'boundary');

function nearest(p: Position, a: Position, b: Position): { t: number; q: Position; d: number } {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
  const q: Position = [a[0] + dx * t, a[1] + dy * t];
  return { t, q, d: Math.hypot(q[0] - p[0], q[1] - p[1]) };
}
const toLine = (p: Position, l: Position[]) => Math.min(...l.slice(1).map((b, i) => nearest(p, l[i], b).d));
function sample(l: Position[], stepM: number): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < l.length - 1; i++) {
    const n = Math.max(1, Math.ceil(Math.hypot(l[i + 1][0] - l[i][0], l[i + 1][1] - l[i][1]) / stepM));
    for (let k = 0; k < n; k++) out.push([l[i][0] + ((l[i + 1][0] - l[i][0]) * k) / n, l[i][1] + ((l[i + 1][1] - l[i][1]) * k) / n]);
  }
  return [...out, l[l.length - 1]];
}
/** The furthest point of `from` from line `to`. */
function furthest(from: Position[], to: Position[]): { d: number; at: Position } {
  let worst = { d: 0, at: from[0] };
  for (const p of sample(from, 2)) {
    const d = toLine(p, to);
    if (d > worst.d) worst = { d, at: p };
  }
  return worst;
}

/** Least squares of the fixes' distances to a polyline started at `start`, ends held. */
function oracleFit(start: Position[], fixes: Position[]): Position[] {
  const v = start.map((p) => [...p]);
  for (let it = 0; it < 300; it++) {
    const num = v.map(() => [0, 0]);
    const den = v.map(() => 0);
    for (const p of fixes) {
      let best = { i: 0, t: 0, q: v[0], d: Infinity };
      for (let i = 0; i < v.length - 1; i++) {
        const n = nearest(p, v[i], v[i + 1]);
        if (n.d < best.d) best = { i, ...n };
      }
      for (const [j, w] of [[best.i, 1 - best.t], [best.i + 1, best.t]]) {
        num[j][0] += w * (p[0] - best.q[0]);
        num[j][1] += w * (p[1] - best.q[1]);
        den[j] += w * w;
      }
    }
    // Half a Newton step per vertex, ignoring the coupling between neighbours: stable.
    for (let j = 1; j < v.length - 1; j++) if (den[j] > 0.05) [v[j][0], v[j][1]] = [v[j][0] + (0.5 * num[j][0]) / den[j], v[j][1] + (0.5 * num[j][1]) / den[j]];
  }
  return v;
}

const villageRows: string[] = [];
const boundaryRows: string[] = [];
const oracleWorst = new Map<string, number>();
const causes = { end: 0, corner: 0, cornerLongStep: 0, off: 0, over: 0 };
for (const kumban of areas.filter((a) => a.properties.level === 'kumban')) {
  const { input, villages } = await demoSegmentsInput(kumban, areas);
  const { tracks } = input;
  const result = segmentsTessellation(input);
  for (const truth of villages) {
    const mine = result.villages.find((v) => v.code === truth.properties.code);
    villageRows.push(mine ? `| ${truth.properties.code} | ${iou(truth.geometry, mine.geometry).toFixed(4)} | ${boundaryHausdorffM(truth.geometry, mine.geometry, 5).toFixed(1)} |` : `| ${truth.properties.code} | no face | |`);
  }
  const inKumban = new Set(villages.map((v) => v.properties.code));
  for (const t of tracks) {
    if (!inKumban.has(t.areaCode) || t.otherAreaCode === null || !inKumban.has(t.otherAreaCode)) continue;
    const frame = localFrame(t.line);
    const truth = truthLines.find((b) => b.properties.name === `${t.areaCode}|${t.otherAreaCode}`)!.geometry!.coordinates.map((p) => toLocal(frame, p));
    const fixes = removeSpikes(t.line.map((p) => toLocal(frame, p)), SEGMENTS_DEFAULTS.spikeM);
    const fit = fitPolyline(fixes, SEGMENTS_DEFAULTS.fitM, SEGMENTS_DEFAULTS.cornerShiftM);
    const [out, cut] = [furthest(fit, truth), furthest(truth, fit)];
    const worst = out.d > cut.d ? out : cut;
    const fromEnd = Math.min(...[truth[0], truth[truth.length - 1]].map((e) => Math.hypot(e[0] - worst.at[0], e[1] - worst.at[1])));
    const atVertex = truth.slice(1, -1).some((v) => Math.hypot(v[0] - worst.at[0], v[1] - worst.at[1]) < 5);
    const steps = fixes.slice(1).map((p, i) => Math.hypot(p[0] - fixes[i][0], p[1] - fixes[i][1]));
    const usual = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)];
    const across = steps[steps.map((_, i) => nearest(worst.at, fixes[i], fixes[i + 1]).d).reduce((bi, d, i, ds) => (d < ds[bi] ? i : bi), 0)];
    let cause = 'fitted line off the truth';
    if (fromEnd < 60) cause = 'walk end';
    else if (cut.d >= out.d && atVertex) cause = across >= 1.3 * usual ? 'true corner cut, across a long step' : 'true corner cut';
    if (worst.d >= 25) {
      causes.over++;
      if (cause === 'walk end') causes.end++;
      else if (cause.startsWith('true corner')) [causes.corner, causes.cornerLongStep] = [causes.corner + 1, causes.cornerLongStep + (cause.endsWith('step') ? 1 : 0)];
      else causes.off++;
    }
    const oracle = Math.max(furthest(oracleFit(truth, fixes), truth).d, furthest(truth, oracleFit(truth, fixes)).d);
    for (const v of [t.areaCode, t.otherAreaCode]) oracleWorst.set(v, Math.max(oracleWorst.get(v) ?? 0, oracle));
    boundaryRows.push(`| ${t.areaCode}\\|${t.otherAreaCode} | ${(fixes.length / (truth.length - 1)).toFixed(1)} | ${worst.d.toFixed(1)} | ${cause} | ${oracle.toFixed(1)} |`);
  }
}
console.log('| village | IoU | boundary Hausdorff (m) |\n|---|---|---|');
console.log(villageRows.join('\n'));
console.log('\n| boundary | fixes per true leg | fitted walk to truth (m) | where | oracle fit to truth (m) |\n|---|---|---|---|---|');
console.log(boundaryRows.join('\n'));
console.log(`\n${causes.over} of ${boundaryRows.length} internal boundaries are 25 m or more off: ${causes.corner} at a true corner cut short (${causes.cornerLongStep} across a step of 1.3 usual steps or more), ${causes.off} a fitted line off the truth, ${causes.end} at a walk end.`);
const over = [...oracleWorst.values()].filter((h) => h >= 25).length;
console.log(`Oracle (least squares from the true corners): ${over} of ${oracleWorst.size} villages have a boundary 25 m or more off (worst ${Math.max(...oracleWorst.values()).toFixed(1)} m).`);
