/** The few Express request/response members the app touches (the project carries no @types/express). */
export interface HttpRequest {
  method: string;
  route?: { path?: string };
}

export interface HttpResponse {
  statusCode: number;
  status(code: number): HttpResponse;
  json(body: unknown): void;
  once(event: 'finish', listener: () => void): void;
}
