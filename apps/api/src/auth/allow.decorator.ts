import { SetMetadata } from '@nestjs/common';
import { Access } from './principal';

export const ACCESS = 'partnerships:access';

/**
 * The least role a resolver or route needs. Every resolver must say it: one without is
 * refused (deny by default).
 */
export const Allow = (access: Access): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS, access);
