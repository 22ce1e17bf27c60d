// What AlterConfigs (33) and IncrementalAlterConfigs (44) share: each resource is altered in turn (the config
// store applies them one by one) and answered with its own error; a request-level error is copied to each.

export interface ConfigResource {
  resourceType: number
  resourceName: string
}

export interface ResourceResult {
  errorCode: number
  errorMessage: string | null
}

export async function alterEachResource<R extends ConfigResource>(
  resources: readonly R[],
  alter: (resource: R) => Promise<ResourceResult>,
): Promise<{ throttleTimeMs: number; responses: (ResourceResult & ConfigResource)[] }> {
  const responses = []
  for (const resource of resources) {
    const result = await alter(resource)
    responses.push({ ...result, resourceType: resource.resourceType, resourceName: resource.resourceName })
  }
  return { throttleTimeMs: 0, responses }
}

export function everyResourceFailed(
  resources: readonly ConfigResource[],
  errorCode: number,
): { throttleTimeMs: number; responses: (ResourceResult & ConfigResource)[] } {
  return {
    throttleTimeMs: 0,
    responses: resources.map((r) => ({
      errorCode,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  }
}
