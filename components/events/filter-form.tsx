"use client";

import { useState, type FormEvent } from "react";
import { Button, Input, Select } from "@/components/ui";
import {
  checkProperty,
  EMPTY_FILTERS,
  isoToLocalInput,
  localInputToIso,
  RANGE_PRESETS,
  type EventFilters,
  type RangePreset,
} from "./filters";

export interface FilterFormProps {
  value: EventFilters;
  onApply: (filters: EventFilters) => void;
  /** Names to suggest in the type and region fields (from the live stream). */
  knownTypes: readonly string[];
  knownRegions: readonly string[];
}

/** The explorer's filters; applied on submit (Enter in any field) so the URL changes once. */
export function FilterForm({ value, onApply, knownTypes, knownRegions }: FilterFormProps) {
  const [draft, setDraft] = useState(value);
  const [submitted, setSubmitted] = useState(false);
  // Follow the URL when it changes under us (back/forward, a shared link).
  const [source, setSource] = useState(value);
  if (source !== value) {
    setSource(value);
    setDraft(value);
  }
  const propertyError = checkProperty(draft.property);
  const set = <K extends keyof EventFilters>(key: K, next: EventFilters[K]) =>
    setDraft((current) => ({ ...current, [key]: next }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (propertyError) return;
    onApply(draft);
  };

  return (
    <form
      onSubmit={submit}
      aria-label="Event filters"
      className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-6"
    >
      <Input
        label="Event type"
        name="event_type"
        value={draft.event_type}
        onChange={(e) => set("event_type", e.target.value)}
        placeholder="any"
        list="known-event-types"
        autoComplete="off"
      />
      <datalist id="known-event-types">
        {knownTypes.map((type) => (
          <option key={type} value={type} />
        ))}
      </datalist>
      <Input
        label="Region"
        name="region"
        value={draft.region}
        onChange={(e) => set("region", e.target.value)}
        placeholder="any"
        list="known-regions"
        autoComplete="off"
      />
      <datalist id="known-regions">
        {knownRegions.map((region) => (
          <option key={region} value={region} />
        ))}
      </datalist>
      <Input
        label="User id"
        name="user_id"
        value={draft.user_id}
        onChange={(e) => set("user_id", e.target.value)}
        placeholder="any"
        autoComplete="off"
      />
      <Input
        label="Property"
        name="property"
        value={draft.property}
        onChange={(e) => set("property", e.target.value)}
        placeholder="key:value"
        autoComplete="off"
        error={submitted ? propertyError : undefined}
      />
      <Select
        label="Time range"
        name="range"
        value={draft.range}
        onChange={(e) => set("range", e.target.value as RangePreset)}
        options={RANGE_PRESETS}
        fieldClassName="col-span-2 md:col-span-1"
      />
      <div className="col-span-2 flex items-end gap-2 md:col-span-1">
        <Button type="submit" variant="primary" className="flex-1">
          Apply
        </Button>
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            setSubmitted(false);
            setDraft(EMPTY_FILTERS);
            onApply(EMPTY_FILTERS);
          }}
        >
          Reset
        </Button>
      </div>
      {draft.range === "custom" && (
        <>
          <Input
            label="From (your time)"
            type="datetime-local"
            value={isoToLocalInput(draft.from)}
            onChange={(e) => set("from", localInputToIso(e.target.value))}
          />
          <Input
            label="To (your time)"
            type="datetime-local"
            value={isoToLocalInput(draft.to)}
            onChange={(e) => set("to", localInputToIso(e.target.value))}
          />
        </>
      )}
    </form>
  );
}
