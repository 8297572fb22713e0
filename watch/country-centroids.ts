// Approximate country centroids (latitude, longitude in degrees), Cordon's own rounded table, for impossible
// travel between countries. Within a country the distance is taken as 0: no false "travel" from coarse data.
// A country missing here gives no travel estimate (the new-country signal still applies).
export const COUNTRY_CENTROIDS: Readonly<Record<string, readonly [number, number]>> = {
  US: [39.8, -98.6], CA: [56.1, -106.3], MX: [23.6, -102.6], BR: [-14.2, -51.9], AR: [-38.4, -63.6], CL: [-35.7, -71.5],
  CO: [4.6, -74.3], PE: [-9.2, -75.0], GB: [54.0, -2.0], IE: [53.4, -8.2], FR: [46.2, 2.2], DE: [51.2, 10.5],
  NL: [52.1, 5.3], BE: [50.5, 4.5], LU: [49.8, 6.1], CH: [46.8, 8.2], AT: [47.5, 14.6], IT: [41.9, 12.6],
  ES: [40.5, -3.7], PT: [39.4, -8.2], DK: [56.3, 9.5], NO: [60.5, 8.5], SE: [60.1, 18.6], FI: [61.9, 25.7],
  PL: [51.9, 19.1], CZ: [49.8, 15.5], SK: [48.7, 19.7], HU: [47.2, 19.5], RO: [45.9, 24.97], BG: [42.7, 25.5],
  GR: [39.1, 21.8], UA: [48.4, 31.2], BY: [53.7, 27.95], RU: [61.5, 105.3], TR: [39.0, 35.2], IL: [31.0, 34.9],
  AE: [23.4, 53.8], SA: [23.9, 45.1], EG: [26.8, 30.8], NG: [9.1, 8.7], KE: [-0.02, 37.9], ZA: [-30.6, 22.9],
  IN: [20.6, 79.0], PK: [30.4, 69.3], BD: [23.7, 90.4], CN: [35.9, 104.2], HK: [22.3, 114.2], TW: [23.7, 121.0],
  JP: [36.2, 138.3], KR: [35.9, 127.8], SG: [1.35, 103.8], MY: [4.2, 102.0], TH: [15.9, 100.99], VN: [14.1, 108.3],
  ID: [-0.8, 113.9], PH: [12.9, 121.8], AU: [-25.3, 133.8], NZ: [-40.9, 174.9], LV: [56.9, 24.6], LT: [55.2, 23.9],
  EE: [58.6, 25.0], IS: [64.96, -19.0], SC: [-4.7, 55.5], PA: [8.5, -80.8], IR: [32.4, 53.7], KP: [40.3, 127.5],
};

/** Great-circle distance in km between two countries' centroids; undefined when either is unknown. */
export function countryDistanceKm(a: string, b: string): number | undefined {
  if (a === b) return 0;
  const p = COUNTRY_CENTROIDS[a];
  const q = COUNTRY_CENTROIDS[b];
  if (!p || !q) return undefined;
  const rad = Math.PI / 180;
  const dLat = (q[0] - p[0]) * rad;
  const dLon = (q[1] - p[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(p[0] * rad) * Math.cos(q[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
