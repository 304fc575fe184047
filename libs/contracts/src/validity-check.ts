import { getMetadataStorage, ValidationArguments, ValidationTypes, ValidatorConstraintInterface } from 'class-validator';

interface Rule {
  validateIf?: (object: object, value: unknown) => boolean;
  constraints: unknown[];
  constraint: ValidatorConstraintInterface;
}

interface PropertyRules {
  property: string;
  /** @IsOptional and the like: the property is validated only when every condition holds. */
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
}

/**
 * The class-validator rules of one flat DTO class, compiled once into a yes/no check. validateSync
 * walks the metadata store and builds error objects on every call, a fifth of ingest's CPU; this
 * runs the same constraint instances with the same arguments, in the order ValidationExecutor does,
 * so for an object holding only the class's properties it accepts exactly what validateSync
 * accepts. Whitelisting stays with the caller, and so do the messages: run validateSync on what
 * this refuses. Rules it cannot mirror (nested, async, per-item, grouped) fail at compile time.
 */
export function compileValidityCheck(target: new () => object): (object: object) => boolean {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(target, '', false, false));
  const properties: PropertyRules[] = Object.entries(grouped).map(([property, metadatas]) => {
    const conditions: PropertyRules['conditions'] = [];
    const rules: Rule[] = [];
    for (const m of metadatas) {
      if (m.each || m.groups?.length || m.type === ValidationTypes.NESTED_VALIDATION || m.type === ValidationTypes.PROMISE_VALIDATION) {
        throw new Error(`${target.name}.${property}: rule ${m.name ?? m.type} cannot be compiled`);
      }
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) conditions.push(m.constraints[0]);
      if (m.type !== ValidationTypes.IS_DEFINED && m.type !== ValidationTypes.CUSTOM_VALIDATION) continue;
      for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
        if (c.async) throw new Error(`${target.name}.${property}: async rule ${m.name} cannot be compiled`);
        rules.push({ validateIf: m.validateIf, constraints: m.constraints, constraint: c.instance });
      }
    }
    return { property, conditions, rules };
  });

  return (object) => {
    for (const { property, conditions, rules } of properties) {
      const value = (object as Record<string, unknown>)[property];
      if (!conditions.every((holds) => holds(object, value))) continue;
      for (const rule of rules) {
        if (rule.validateIf && !rule.validateIf(object, value)) continue;
        const args: ValidationArguments = { targetName: target.name, property, object, value, constraints: rule.constraints };
        if (!rule.constraint.validate(value, args)) return false;
      }
    }
    return true;
  };
}
