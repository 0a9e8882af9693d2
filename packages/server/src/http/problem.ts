import type { FastifyReply } from 'fastify';

export interface Problem {
  status: number;
  /** Stable machine-readable code, `domain.snake_case`. */
  code: string;
  title: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

/** Sends an RFC 9457 problem document; `type` is a stable URN built from the code. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({
      type: `urn:tessera:problem:${problem.code}`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      code: problem.code,
      ...(problem.errors ? { errors: problem.errors } : {}),
      correlation_id: reply.request.id,
    });
}
