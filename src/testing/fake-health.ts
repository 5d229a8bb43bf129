/** The fake's messaging health status (`GET /<PHONE_NUMBER_ID>?fields=health_status`). */

export type FakeHealthEntity = "PHONE_NUMBER" | "WABA" | "BUSINESS" | "APP";

export interface FakeHealthIssue {
  code: number;
  description: string;
  possibleSolution?: string;
}

export interface FakeEntityHealth {
  canSendMessage: "AVAILABLE" | "LIMITED" | "BLOCKED";
  /** For BLOCKED: why, in Meta's shape (`error_code`, `error_description`, `possible_solution`). */
  errors?: FakeHealthIssue[];
  /** For LIMITED: what the limitation is. */
  additionalInfo?: string[];
}

const RANK = { AVAILABLE: 0, LIMITED: 1, BLOCKED: 2 } as const;

/** Every node AVAILABLE until a test says otherwise with `fake.setHealth()`. */
export class FakeHealth {
  readonly #entities = new Map<FakeHealthEntity, FakeEntityHealth>();

  constructor(private readonly ids: Record<FakeHealthEntity, string>) {}

  set(entity: FakeHealthEntity, health: FakeEntityHealth): void {
    if (!(entity in this.ids)) throw new Error(`FakeCloudApi.setHealth: unknown entity ${String(entity)}`);
    if (!(health.canSendMessage in RANK))
      throw new Error(`FakeCloudApi.setHealth: canSendMessage must be AVAILABLE, LIMITED or BLOCKED`);
    this.#entities.set(entity, health);
  }

  /** The `health_status` object as Meta returns it on the phone number node. */
  payload(): Record<string, unknown> {
    let overall: FakeEntityHealth["canSendMessage"] = "AVAILABLE";
    const entities = (Object.keys(this.ids) as FakeHealthEntity[]).map((type) => {
      const h = this.#entities.get(type) ?? { canSendMessage: "AVAILABLE" };
      if (RANK[h.canSendMessage] > RANK[overall]) overall = h.canSendMessage;
      const out: Record<string, unknown> = {
        entity_type: type,
        id: this.ids[type],
        can_send_message: h.canSendMessage,
      };
      if (h.canSendMessage === "BLOCKED" && h.errors?.length)
        out["errors"] = h.errors.map((e) => ({
          error_code: e.code,
          error_description: e.description,
          ...(e.possibleSolution !== undefined && { possible_solution: e.possibleSolution }),
        }));
      if (h.canSendMessage === "LIMITED" && h.additionalInfo?.length)
        out["additional_info"] = h.additionalInfo;
      return out;
    });
    return { can_send_message: overall, entities };
  }
}
