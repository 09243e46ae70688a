import { Counter, register } from 'prom-client';

export const RESULT_VALIDATIONS = 'hivemind_result_validations_total';

/**
 * Results judged by validation, by verdict (ACCEPTED, VALID, INVALID, INCONCLUSIVE), on /metrics.
 * In prom-client's default registry, which the metrics module serves; one counter per process
 * however many apps a test starts in it.
 */
export function resultValidations(): Counter<'validation'> {
  return (
    (register.getSingleMetric(RESULT_VALIDATIONS) as Counter<'validation'> | undefined) ??
    new Counter({
      name: RESULT_VALIDATIONS,
      help: 'Results judged by validation, by verdict: ACCEPTED (alone), VALID, INVALID, INCONCLUSIVE',
      labelNames: ['validation'],
    })
  );
}
