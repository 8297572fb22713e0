// The four Google APIs Cordon calls, each loaded from its own module of the official googleapis
// package. `import { google } from 'googleapis'` loads all of its 300-odd APIs: 65-80 MiB more of a
// worker's resident memory and over a second at start, for four of them (measured in
// docs/performance.md, P2, "RSS"). The classes are the ones `google.admin()`
// and the like construct; only the package's global options object, which Cordon never sets, is absent.
import { admin_directory_v1 } from 'googleapis/build/src/apis/admin/directory_v1.js';
import { admin_reports_v1 } from 'googleapis/build/src/apis/admin/reports_v1.js';
import { iam_v1 } from 'googleapis/build/src/apis/iam/v1.js';
import { policyanalyzer_v1 } from 'googleapis/build/src/apis/policyanalyzer/v1.js';

export type { admin_directory_v1, admin_reports_v1, iam_v1, policyanalyzer_v1 };

/** What each API's constructor takes: auth, rootUrl, timeout, retry (googleapis-common's GlobalOptions). */
type ApiOptions = ConstructorParameters<typeof iam_v1.Iam>[0];

export const directoryApi = (options: ApiOptions): admin_directory_v1.Admin => new admin_directory_v1.Admin(options);
export const reportsApi = (options: ApiOptions): admin_reports_v1.Admin => new admin_reports_v1.Admin(options);
export const iamApi = (options: ApiOptions): iam_v1.Iam => new iam_v1.Iam(options);
export const policyAnalyzerApi = (options: ApiOptions): policyanalyzer_v1.Policyanalyzer => new policyanalyzer_v1.Policyanalyzer(options);
