import { Table, TBody, TD, TH, THead, TR } from "@/components/ui";
import { formatInteger, formatNumber, formatPercent } from "@/components/ui/format";
import type { TypeFigure } from "./live-counts-store";

/** Totals, share and current rate per event type. */
export function TypeTable({ types, total }: { types: readonly TypeFigure[]; total: number }) {
  return (
    <Table caption="Events by type, last five minutes">
      <THead>
        <tr>
          <TH>Event type</TH>
          <TH className="text-right">Events</TH>
          <TH className="text-right">Share</TH>
          <TH className="text-right">Rate (/s)</TH>
        </tr>
      </THead>
      <TBody>
        {types.map((type) => (
          <TR key={type.name}>
            <TD className="max-w-48 truncate font-medium text-slate-800">{type.name}</TD>
            <TD numeric>{formatInteger(type.total)}</TD>
            <TD numeric className="text-slate-500">
              {total > 0 ? formatPercent(type.total / total) : "–"}
            </TD>
            <TD numeric>{Number.isNaN(type.rate) ? "–" : formatNumber(Math.round(type.rate * 10) / 10)}</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}
