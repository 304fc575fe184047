import { ValidateIf, ValidationOptions } from 'class-validator';

/**
 * The property may be left out; unlike @IsOptional, a `null` is not taken for "left out" but
 * validated like any other value, so it is refused with the field's name (docs/decisions/024).
 */
export const Omittable = (options?: ValidationOptions) => ValidateIf((_object, value) => value !== undefined, options);
