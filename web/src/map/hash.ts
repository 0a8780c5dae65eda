/** The map view written to and read from the URL. */
export interface MapView {
  zoom: number;
  lat: number;
  lon: number;
}

/** What a shared link reproduces: the view and the selected area, each optional. */
export interface HashState {
  view: MapView | null;
  area: string | null;
}

function parseView(value: string): MapView | null {
  const parts = value.split('/');
  if (parts.length !== 3) return null;
  const [zoom, lat, lon] = parts.map(Number);
  if (![zoom, lat, lon].every(Number.isFinite)) return null;
  if (zoom < 0 || zoom > 24 || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { zoom, lat, lon };
}

/**
 * Reads `#map=zoom/lat/lon&area=CODE`. Anything malformed is ignored rather than rejected, so a
 * mangled link still opens the page at its default view.
 */
export function parseHash(hash: string): HashState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const map = params.get('map');
  const area = params.get('area');
  return { view: map ? parseView(map) : null, area: area ? area : null };
}

/**
 * Decimals of latitude/longitude that still move the view by less than a pixel at `zoom`, so
 * links stay short without the view drifting when reopened.
 */
export function coordinateDecimals(zoom: number): number {
  return Math.max(0, Math.ceil((zoom * Math.LN2 + Math.log(512 / 360 / 0.5)) / Math.LN10));
}

/** Writes the view and selection as `#map=zoom/lat/lon&area=CODE` (area omitted when none). */
export function formatHash(state: HashState): string {
  const parts: string[] = [];
  if (state.view) {
    const { zoom, lat, lon } = state.view;
    const decimals = coordinateDecimals(zoom);
    parts.push(`map=${Number(zoom.toFixed(2))}/${lat.toFixed(decimals)}/${lon.toFixed(decimals)}`);
  }
  if (state.area) parts.push(`area=${encodeURIComponent(state.area)}`);
  return parts.length ? `#${parts.join('&')}` : '';
}
