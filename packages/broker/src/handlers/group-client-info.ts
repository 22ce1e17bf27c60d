// The client id and host a group member is described with (DescribeGroups, ConsumerGroupDescribe): Kafka shows the
// request's client id and the address the connection came from, with a leading slash (InetAddress.toString()).

import type { RequestContext } from '../server/request-context.ts'

export function clientInfo(ctx: RequestContext): { clientId: string; clientHost: string } {
  const address = ctx.connection.clientAddress
  const host = address.slice(0, address.lastIndexOf(':'))
  return { clientId: ctx.clientId ?? '', clientHost: `/${host}` }
}
