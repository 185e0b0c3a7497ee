import { customType } from "drizzle-orm/pg-core";

/** HyperLogLog sketch of the `hll` extension (mergeable distinct count). */
export const hll = customType<{ data: string; driverData: string }>({
  dataType: () => "hll",
});

/** t-digest sketch of the `tdigest` extension (mergeable quantiles). */
export const tdigest = customType<{ data: string; driverData: string }>({
  dataType: () => "tdigest",
});
