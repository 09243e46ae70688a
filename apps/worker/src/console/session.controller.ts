import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { stringifySetCookie } from 'cookie';
import { type Request, type Response } from 'express';
import { ConsoleAuth, ConsoleRefusal } from './console-auth.service';
import { cookieMaxAgeS, parseSignIn } from './console-session';
import { OpenRoute, SESSION_COOKIE, consoleSessionOf, sessionCookieOf } from './console-session.guard';
import { type ConsoleSession } from './session-store';

/** The body of a session's answers (POST and GET /api/session). */
const view = (s: ConsoleSession) => ({
  username: s.username,
  role: s.role,
  expires_at: new Date(s.expiresAtMs).toISOString(),
  offline: s.offline,
});

/** Sign-in, who am I, sign-out of the worker console (docs/worker.md "Worker console and its API"). */
@Controller('api/session')
export class SessionController {
  constructor(private readonly auth: ConsoleAuth) {}

  @Post()
  @OpenRoute()
  @HttpCode(HttpStatus.OK)
  async signIn(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const parsed = parseSignIn(body);
    if ('field' in parsed) throw new ConsoleRefusal(HttpStatus.BAD_REQUEST, parsed);
    try {
      const { id, session } = await this.auth.signIn(parsed.ok, req.ip ?? '');
      res.setHeader('Set-Cookie', this.cookie(req, id, cookieMaxAgeS(this.auth.timeoutHours)));
      res.setHeader('Cache-Control', 'no-store');
      return view(session);
    } catch (error) {
      if (error instanceof ConsoleRefusal && error.retryAfterS)
        res.setHeader('Retry-After', String(error.retryAfterS));
      throw error;
    }
  }

  @Get()
  whoAmI(@Req() req: Request) {
    return view(consoleSessionOf(req)!);
  }

  @Delete()
  @OpenRoute()
  @HttpCode(HttpStatus.NO_CONTENT)
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    this.auth.sessions.close(sessionCookieOf(req));
    res.setHeader('Set-Cookie', this.cookie(req, '', 0));
  }

  private cookie(req: Request, value: string, maxAgeS: number): string {
    return stringifySetCookie({
      name: SESSION_COOKIE,
      value,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: maxAgeS,
      secure: req.secure,
    });
  }
}
