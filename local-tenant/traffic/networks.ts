// Real address blocks, chosen from the IP data Cordon ships (watch/ip-intel.ts), so that the generated traffic's
// story and the lookups agree: an "attacker on DigitalOcean" really resolves to AS14061. networks.test.ts
// checks every block against the data. Hosts are drawn inside each /24.
export interface Network {
  asn: number;
  org: string;
  /** ISO country the shipped data gives for these blocks */
  country: string;
  blocks: readonly string[];
}

export const NETWORKS = {
  // Corporate and consumer ISPs
  comcast: { asn: 7922, org: 'Comcast', country: 'US', blocks: ['50.168.105.0/24', '23.24.0.0/24', '64.56.60.0/24'] },
  verizon: { asn: 701, org: 'Verizon Business', country: 'US', blocks: ['70.20.0.0/24', '63.103.52.0/24'] },
  att: { asn: 7018, org: 'AT&T', country: 'US', blocks: ['12.0.0.0/24', '70.240.128.0/24'] },
  cox: { asn: 22773, org: 'Cox', country: 'US', blocks: ['68.68.160.0/24', '184.185.223.0/24'] },
  centurylink: { asn: 209, org: 'CenturyLink', country: 'US', blocks: ['75.171.34.0/24', '65.40.208.0/24'] },
  virgin: { asn: 5089, org: 'Virgin Media', country: 'GB', blocks: ['86.0.0.0/24', '194.168.0.0/24'] },
  bt: { asn: 2856, org: 'BT', country: 'GB', blocks: ['86.38.86.0/24', '185.177.64.0/24'] },
  telekom: { asn: 3320, org: 'Deutsche Telekom', country: 'DE', blocks: ['2.58.100.0/24', '193.102.167.0/24'] },
  orange: { asn: 3215, org: 'Orange', country: 'FR', blocks: ['86.192.0.0/24', '92.147.0.0/24'] },
  free: { asn: 12322, org: 'Free', country: 'FR', blocks: ['82.64.0.0/24', '88.120.0.0/24'] },
  tim: { asn: 3269, org: 'Telecom Italia', country: 'IT', blocks: ['2.112.0.0/24', '151.99.0.0/24'] },
  iij: { asn: 2497, org: 'IIJ', country: 'JP', blocks: ['133.236.0.0/24', '202.214.0.0/24'] },
  jio: { asn: 55836, org: 'Reliance Jio', country: 'IN', blocks: ['152.56.0.0/24', '45.123.16.0/24'] },
  // Clouds: vendor automation and CI
  aws: { asn: 16509, org: 'Amazon', country: 'US', blocks: ['50.8.0.0/24', '50.9.12.0/24', '168.100.80.0/24', '198.251.216.0/24'] },
  awsEast: { asn: 14618, org: 'Amazon', country: 'US', blocks: ['64.207.222.0/24', '107.180.192.0/24'] },
  awsEu: { asn: 16509, org: 'Amazon', country: 'DE', blocks: ['136.18.18.0/24'] },
  gcp: { asn: 396982, org: 'Google Cloud', country: 'US', blocks: ['67.219.246.0/24', '152.131.248.0/24'] },
  azure: { asn: 8075, org: 'Microsoft Azure', country: 'US', blocks: ['74.188.246.0/24', '170.62.37.0/24', '198.202.23.0/24'] },
  // Where the attacks come from
  digitalocean: { asn: 14061, org: 'DigitalOcean', country: 'US', blocks: ['134.209.0.0/24', '162.243.184.0/24'] },
  hetzner: { asn: 24940, org: 'Hetzner', country: 'DE', blocks: ['91.190.240.0/24'] },
  vultr: { asn: 20473, org: 'Vultr', country: 'US', blocks: ['144.202.0.0/24'] },
  linode: { asn: 63949, org: 'Linode', country: 'US', blocks: ['23.92.16.0/24', '192.155.80.0/24'] },
  m247: { asn: 9009, org: 'M247', country: 'US', blocks: ['172.98.190.0/24'] },
  rostelecom: { asn: 12389, org: 'Rostelecom', country: 'RU', blocks: ['78.81.0.0/24', '90.150.0.0/24'] },
  viettel: { asn: 7552, org: 'Viettel', country: 'VN', blocks: ['116.103.24.0/24'] },
} as const satisfies Record<string, Network>;
export type NetworkName = keyof typeof NETWORKS;

/** ISPs people use, per home country: [office, home, an alternative home]. */
export const ISPS_BY_COUNTRY: Readonly<Record<string, readonly NetworkName[]>> = {
  US: ['verizon', 'comcast', 'cox', 'att', 'centurylink'],
  GB: ['bt', 'virgin'],
  DE: ['telekom'],
  FR: ['orange', 'free'],
  IT: ['tim'],
  JP: ['iij'],
  IN: ['jio'],
};

/** A host address inside one of the network's blocks. */
export function addressIn(network: Network, pick: (n: number) => number): string {
  const block = network.blocks[pick(network.blocks.length)]!;
  const base = block.slice(0, block.lastIndexOf('.'));
  return `${base}.${2 + pick(250)}`;
}
