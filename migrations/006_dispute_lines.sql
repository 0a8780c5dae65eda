-- A dispute over one stretch of a boundary line: each village's claimed line is kept (line_a is
-- what area_a says, line_b what area_b says), the land between them is the dispute's geometry,
-- and the line both sides finally accept is recorded with the names of the village heads and
-- witnesses who accepted it (agreed_by: {"head_a", "head_b", "witnesses": [...], "date"}).
ALTER TABLE dispute
  ADD COLUMN line_a geometry(LineString, 4326),
  ADD COLUMN line_b geometry(LineString, 4326),
  ADD COLUMN agreed_line geometry(LineString, 4326),
  ADD COLUMN agreed_by jsonb,
  ADD CONSTRAINT dispute_claims_paired CHECK ((line_a IS NULL) = (line_b IS NULL)),
  ADD CONSTRAINT dispute_agreement_signed CHECK ((agreed_line IS NULL) = (agreed_by IS NULL));
