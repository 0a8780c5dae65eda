-- reading_upload_idx (reading.upload_id) was kept by 002 "for lookups by upload", but nothing
-- looks readings up by upload: the API reads them by track (reading_track_idx), and deleting an
-- upload deletes its tracks, whose trigger (008) deletes their readings by track. The index only
-- cost its upkeep on every reading written: a million entries for one long walk (BENCHMARKS.md,
-- Ingest). A reading's upload is its track's upload; the column stays.
DROP INDEX reading_upload_idx;
