import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * The field may be left out. Unlike class-validator's IsOptional, `null` is not "left out": it is
 * validated like any other value, and so refused by the field's own rules (`{"role": null}` once
 * reached a NOT NULL column).
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
