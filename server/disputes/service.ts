import type { MultiPolygon } from 'geojson';
import type { Database } from '../db/database.js';
import { withTransaction } from '../db/database.js';
import { UserError } from '../errors.js';
import * as areas from '../areas/store.js';
import * as store from './store.js';

export interface NewDispute {
  area_a: string;
  area_b: string;
  geometry?: MultiPolygon | null;
  note?: { date: string; attendees?: string[]; outcome: string };
}

export interface DisputeChange {
  status?: store.DisputeStatus;
  note?: { date: string; attendees?: string[]; outcome: string };
  /** On resolving: the village the contested piece goes to. */
  assign_to?: string;
}

const NEXT: Record<store.DisputeStatus, store.DisputeStatus[]> = {
  open: ['negotiating', 'resolved'],
  negotiating: ['resolved'],
  resolved: [],
};

/** Both villages are marked disputed while a dispute between them is open. */
async function markDisputed(client: Parameters<typeof areas.updateArea>[0], area: areas.Area, actor: string | null, disputeId: number) {
  if (area.status === 'disputed') return;
  const current = await areas.lockForUpdate(client, area.id, null);
  await areas.updateArea(client, current, { status: 'disputed' }, { actor, reason: `dispute #${disputeId} opened`, inputs: { dispute_id: disputeId } });
}

/**
 * Open a dispute between two areas of the same level over the land both claim: the drawn
 * geometry, or where their polygons overlap.
 */
export async function openDispute(db: Database, input: NewDispute, actor: string | null): Promise<store.Dispute> {
  const a = await areas.requireArea(db.pool, input.area_a);
  const b = await areas.requireArea(db.pool, input.area_b);
  if (a.id === b.id) throw new UserError('VALIDATION_FAILED', 'A dispute is between two different areas.');
  if (a.level !== b.level) throw new UserError('WRONG_LEVEL', `${a.code} is a ${a.level} and ${b.code} a ${b.level}: disputes are between neighbours of one level.`);
  const contested = await store.contestedArea(db.pool, a.id, b.id, input.geometry ?? null);
  if (!contested.geom) {
    throw new UserError('NOT_ENOUGH_DATA', `${a.name} and ${b.name} do not overlap: draw the contested area as the geometry of the dispute.`);
  }
  const id = await withTransaction(db.pool, async (client) => {
    const note = input.note ? { date: input.note.date, attendees: input.note.attendees ?? [], outcome: input.note.outcome, by: actor } : null;
    const disputeId = await store.insertDispute(client, a.id, b.id, contested.geom, contested.m2, note);
    await markDisputed(client, a, actor, disputeId);
    await markDisputed(client, b, actor, disputeId);
    return disputeId;
  });
  return (await store.getDispute(db.pool, id))!;
}

/**
 * Move a dispute along `open → negotiating → resolved`, logging meetings. Resolving gives the
 * contested piece to one village and writes new versions of both, in one transaction.
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
    if (status === 'resolved' && d.status !== 'resolved') {
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
