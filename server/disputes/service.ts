import type { LineString, MultiPolygon } from 'geojson';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import * as store from './store.js';

export interface NewDispute {
  area_a: string;
  area_b: string;
  geometry?: MultiPolygon | null;
  /** A dispute over a stretch of boundary: the line each village claims (a: area_a's). */
  lines?: { a: LineString; b: LineString } | null;
  note?: { date: string; attendees?: string[]; outcome: string };
}

export interface DisputeChange {
  status?: store.DisputeStatus;
  note?: { date: string; attendees?: string[]; outcome: string };
  /** On resolving: the village the contested piece goes to. */
  assign_to?: string;
  /** For a boundary-line dispute: the line both sides accept, and who accepted it; resolving reshapes both villages along it. */
  agreed_line?: LineString;
  agreed_by?: { head_a: string; head_b: string; witnesses?: string[] };
}

const NEXT: Record<store.DisputeStatus, store.DisputeStatus[]> = {
  open: ['negotiating', 'resolved'],
  negotiating: ['resolved'],
  resolved: [],
};

/** Both villages are marked disputed while a dispute between them is open. */
export async function markDisputed(client: Parameters<typeof areas.updateArea>[0], area: areas.Area, actor: string | null, disputeId: number) {
  if (area.status === 'disputed') return;
  const current = await areas.lockForUpdate(client, area.id, null);
  await areas.updateArea(client, current, { status: 'disputed' }, { actor, reason: `dispute #${disputeId} opened`, inputs: { dispute_id: disputeId } });
}

/**
 * Open a dispute between two areas of the same level over the land both claim: the drawn
 * geometry, the land between the two lines they claim, or where their polygons overlap.
 */
export async function openDispute(db: Database, input: NewDispute, actor: string | null): Promise<store.Dispute> {
  const a = await areas.requireArea(db.pool, input.area_a);
  const b = await areas.requireArea(db.pool, input.area_b);
  if (a.id === b.id) throw new UserError('VALIDATION_FAILED', 'A dispute is between two different areas.');
  if (a.level !== b.level) throw new UserError('WRONG_LEVEL', `${a.code} is a ${a.level} and ${b.code} a ${b.level}: disputes are between neighbours of one level.`);
  if (input.lines && input.geometry) {
    throw new UserError('VALIDATION_FAILED', 'Give either the contested area (geometry) or the two claimed lines (lines), not both: the area between the lines is the contested area.');
  }
  const contested = input.lines
    ? await store.landBetweenLines(db.pool, input.lines.a, input.lines.b)
    : await store.contestedArea(db.pool, a.id, b.id, input.geometry ?? null);
  if (!contested.geom && input.lines) {
    throw new UserError('VALIDATION_FAILED', `The lines claimed by ${a.name} and ${b.name} enclose no land between them: they are the same line.`);
  }
  if (!contested.geom) {
    throw new UserError('NOT_ENOUGH_DATA', `${a.name} and ${b.name} do not overlap: draw the contested area as the geometry of the dispute, or give the line each claims.`);
  }
  const id = await withTransaction(db.pool, async (client) => {
    const note = input.note ? { date: input.note.date, attendees: input.note.attendees ?? [], outcome: input.note.outcome, by: actor } : null;
    const disputeId = await store.insertDispute(client, a.id, b.id, contested.geom, contested.m2, note);
    if (input.lines) await store.setClaimedLines(client, disputeId, input.lines.a, input.lines.b);
    await markDisputed(client, a, actor, disputeId);
    await markDisputed(client, b, actor, disputeId);
    return disputeId;
  });
  return (await store.getDispute(db.pool, id))!;
}

/**
 * Move a dispute along `open → negotiating → resolved`, logging meetings. Resolving gives the
 * contested piece to one village and writes new versions of both, in one transaction; a
 * boundary-line dispute may instead be resolved by the line both villages' heads accepted
 * (recorded with them and the witnesses): both villages then meet along it and are agreed.
 */
export async function changeDispute(db: Database, id: number, change: DisputeChange, actor: string | null): Promise<store.Dispute> {
  await withTransaction(db.pool, async (client) => {
    const d = await store.getDispute(client, id, true);
    if (!d) throw new UserError('NOT_FOUND', `No dispute #${id}.`);
    const status = change.status ?? d.status;
    if (status !== d.status && !NEXT[d.status].includes(status)) {
      throw new UserError('CONFLICT', `Dispute #${id} is ${d.status}; it can move to ${NEXT[d.status].join(' or ') || 'nothing (it is closed)'}, not ${status}.`);
    }
    const notes = change.note ? [...d.notes, { date: change.note.date, attendees: change.note.attendees ?? [], outcome: change.note.outcome, by: actor }] : d.notes;
    let resolution: Record<string, unknown> | null = d.resolution;
    if (change.agreed_line || change.agreed_by) {
      if (!d.claimed_lines) throw new UserError('VALIDATION_FAILED', `Dispute #${id} is about an area, not a boundary line: it has no claimed lines to agree on.`);
      if (!change.agreed_line || !change.agreed_by) throw new UserError('VALIDATION_FAILED', `An agreed line is recorded with who accepted it: give both agreed_line and agreed_by.`);
      if (d.agreed_line) throw new UserError('CONFLICT', `Dispute #${id} already has an agreed line, accepted by ${d.agreed_by?.head_a} and ${d.agreed_by?.head_b}.`);
      const by = { head_a: change.agreed_by.head_a, head_b: change.agreed_by.head_b, witnesses: change.agreed_by.witnesses ?? [], date: change.note?.date ?? new Date().toISOString().slice(0, 10) };
      await store.setAgreedLine(client, id, change.agreed_line, by);
      d.agreed_line = change.agreed_line;
      d.agreed_by = by;
    }
    if (status === 'resolved' && d.status !== 'resolved' && d.claimed_lines && !change.assign_to) {
      if (!d.agreed_line) throw new UserError('VALIDATION_FAILED', `Resolving boundary-line dispute #${id} needs the agreed line (agreed_line and agreed_by), or assign_to.`);
      const meta = { actor, reason: `dispute #${id} resolved: boundary line agreed by ${d.agreed_by!.head_a} and ${d.agreed_by!.head_b}`, inputs: { dispute_id: id } };
      const a = await areas.lockForUpdate(client, d.area_a, null);
      const b = await areas.lockForUpdate(client, d.area_b, null);
      // Both villages mapped: their polygons now meet along the agreed line.
      const split = a.area_m2 !== null && b.area_m2 !== null && d.geometry ? await store.splitAlongAgreedLine(client, id) : null;
      await areas.updateArea(client, a, split?.a ? { geometry: split.a, status: 'agreed' } : { status: 'agreed' }, meta);
      await areas.updateArea(client, b, split?.b ? { geometry: split.b, status: 'agreed' } : { status: 'agreed' }, meta);
      resolution = { agreed_line: d.agreed_line, ...d.agreed_by, by: actor };
    } else if (status === 'resolved' && d.status !== 'resolved') {
      if (!change.assign_to) throw new UserError('VALIDATION_FAILED', `Resolving dispute #${id} needs assign_to: ${d.area_a} or ${d.area_b}.`);
      if (change.assign_to !== d.area_a && change.assign_to !== d.area_b) {
        throw new UserError('VALIDATION_FAILED', `assign_to must be ${d.area_a} or ${d.area_b}, not ${change.assign_to}.`);
      }
      const winner = (await areas.lockForUpdate(client, change.assign_to, null));
      const loser = await areas.lockForUpdate(client, change.assign_to === d.area_a ? d.area_b : d.area_a, null);
      if (d.geometry) {
        const split = await store.assignPiece(client, winner.id, loser.id, d.geometry);
        const meta = { actor, reason: `dispute #${id} resolved: contested land to ${winner.name}`, inputs: { dispute_id: id } };
        await areas.updateArea(client, winner, { geometry: split.winner, status: 'agreed' }, meta);
        await areas.updateArea(client, loser, { geometry: split.loser, status: 'agreed' }, meta);
      }
      resolution = { assigned_to: winner.code, by: actor, attendees: change.note?.attendees ?? [] };
    }
    await store.updateDispute(client, id, status, notes, resolution);
  });
  return (await store.getDispute(db.pool, id))!;
}
