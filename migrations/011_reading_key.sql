-- A reading is known by its track and its place on it, (track_id, seq): nothing refers to a
-- reading by the identity column, whose sequence and primary-key index were upkeep on every
-- fix written, next to the (track_id, seq) index that every lookup uses. That index becomes
-- the primary key, which also makes the uniqueness ingest relies on (seq numbers a track's
-- readings once each) a rule of the table. A million-fix walk: one index and one sequence
-- fewer to keep per fix (BENCHMARKS.md, Ingest).
ALTER TABLE reading DROP COLUMN id;
DROP INDEX reading_track_idx;
ALTER TABLE reading ADD CONSTRAINT reading_pkey PRIMARY KEY (track_id, seq);
