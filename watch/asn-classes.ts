// Cordon's own table of well-known networks that are not corporate or consumer ISPs (docs/drift-watch.md, "IP
// intelligence"). An ASN not listed here is `corporate_isp`. The table names each network by its ASN as the
// regional registries assign it; it is short on purpose: the networks stolen tokens are most often replayed from.
//
// - cloud: the large public clouds (where CI runners and SaaS vendors also run: allowlist a vendor's or CI's
//   cloud per token, see VendorAllowlist);
// - hosting: VPS and dedicated-server hosters, rented by the hour with a card;
// - anonymising: commercial VPN egress and privacy relays.

export type AsnClass = 'corporate_isp' | 'cloud' | 'hosting' | 'anonymising';

/** Whether use from this class, never seen before for the token, is a drift signal. */
export const RISKY_CLASSES: ReadonlySet<AsnClass> = new Set(['cloud', 'hosting', 'anonymising']);

export const ASN_CLASSES: ReadonlyMap<number, { name: string; class: AsnClass }> = new Map([
  // Public clouds
  [16509, { name: 'Amazon AWS', class: 'cloud' }],
  [14618, { name: 'Amazon AWS (us-east-1)', class: 'cloud' }],
  [8987, { name: 'Amazon AWS (EU)', class: 'cloud' }],
  [15169, { name: 'Google', class: 'cloud' }],
  [396982, { name: 'Google Cloud', class: 'cloud' }],
  [19527, { name: 'Google Cloud', class: 'cloud' }],
  [8075, { name: 'Microsoft Azure', class: 'cloud' }],
  [8068, { name: 'Microsoft Azure', class: 'cloud' }],
  [31898, { name: 'Oracle Cloud', class: 'cloud' }],
  [45102, { name: 'Alibaba Cloud', class: 'cloud' }],
  [132203, { name: 'Tencent Cloud', class: 'cloud' }],
  [36351, { name: 'IBM Cloud (SoftLayer)', class: 'cloud' }],
  [36459, { name: 'GitHub', class: 'cloud' }],
  // VPS and dedicated hosting
  [14061, { name: 'DigitalOcean', class: 'hosting' }],
  [24940, { name: 'Hetzner', class: 'hosting' }],
  [213230, { name: 'Hetzner Cloud', class: 'hosting' }],
  [16276, { name: 'OVHcloud', class: 'hosting' }],
  [63949, { name: 'Linode (Akamai)', class: 'hosting' }],
  [20473, { name: 'Vultr (The Constant Company)', class: 'hosting' }],
  [51167, { name: 'Contabo', class: 'hosting' }],
  [12876, { name: 'Scaleway', class: 'hosting' }],
  [60781, { name: 'Leaseweb', class: 'hosting' }],
  [16265, { name: 'Leaseweb', class: 'hosting' }],
  [8560, { name: 'IONOS', class: 'hosting' }],
  [197540, { name: 'netcup', class: 'hosting' }],
  [36352, { name: 'ColoCrossing', class: 'hosting' }],
  [53667, { name: 'FranTech (BuyVM)', class: 'hosting' }],
  [46606, { name: 'Unified Layer', class: 'hosting' }],
  [26496, { name: 'GoDaddy', class: 'hosting' }],
  [62240, { name: 'Clouvider', class: 'hosting' }],
  // VPN egress and privacy relays
  [9009, { name: 'M247', class: 'anonymising' }],
  [60068, { name: 'Datacamp (CDN77)', class: 'anonymising' }],
  [212238, { name: 'Datacamp', class: 'anonymising' }],
  [136787, { name: 'TEFINCOM (NordVPN)', class: 'anonymising' }],
  [147049, { name: 'PacketHub', class: 'anonymising' }],
  [39351, { name: '31173 Services (Mullvad)', class: 'anonymising' }],
  [51852, { name: 'Private Layer', class: 'anonymising' }],
  [13335, { name: 'Cloudflare (WARP egress)', class: 'anonymising' }],
]);

export function asnClass(asn: number | undefined): AsnClass {
  return (asn !== undefined && ASN_CLASSES.get(asn)?.class) || 'corporate_isp';
}
