import type { Map as MapLibreMap } from 'maplibre-gl';

type DrawFunction = (...args: unknown[]) => void;

/** The part of MapLibre's painter this reaches into: its table of draw functions. */
interface PainterWithDrawFunctions {
  drawFunctions?: Record<string, unknown>;
}

/**
 * Stops MapLibre drawing a sky the style does not have. MapLibre 6 gives every style a sky
 * (fully transparent when the style defines none, as ours) and draws it on every frame as a
 * full-screen pass with a long fragment shader. With a GPU that costs nothing; where Chromium
 * draws WebGL in software (no GPU, or a blocked driver) it was the most expensive draw call of
 * a frame, 60-75 ms of each first-render frame, for pixels the background then covers. A sky
 * set later (`map.setSky`) is drawn as before. Returns false, changing nothing, if the painter
 * is not as expected (a MapLibre upgrade renamed it): the map is then drawn as MapLibre does.
 */
export function skipUndefinedSky(map: MapLibreMap): boolean {
  const painter = (map as unknown as { painter?: PainterWithDrawFunctions }).painter;
  const draw = painter?.drawFunctions;
  const drawSky = draw?.sky;
  if (!painter || !draw || typeof drawSky !== 'function') return false;
  // A copy for this map only: MapLibre shares the table between maps.
  painter.drawFunctions = {
    ...draw,
    sky: (...args: unknown[]) => {
      if (map.getSky()) (drawSky as DrawFunction)(...args);
    },
  };
  return true;
}
