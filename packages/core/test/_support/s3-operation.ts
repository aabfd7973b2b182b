/**
 * Names the S3 operation of a path-style request from its method, path, query and headers, the way S3 itself
 * dispatches it (the SDK's `x-id` hint is ignored: curl and other clients do not send it).
 */

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'PutObjectAcl'
  | 'GetObjectAcl'
  | 'Unknown';

export interface S3Request {
  operation: S3Operation;
  bucket?: string;
  key?: string;
  /** UploadPart's part number. */
  partNumber?: number;
  uploadId?: string;
}

function bucketOperation(method: string, query: URLSearchParams): S3Operation {
  if (query.has('policy')) return method === 'PUT' ? 'PutBucketPolicy' : 'GetBucketPolicy';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
  if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  return 'Unknown';
}

function objectOperation(method: string, query: URLSearchParams, copySource: boolean): S3Operation {
  if (query.has('acl')) return method === 'PUT' ? 'PutObjectAcl' : 'GetObjectAcl';
  const upload = query.has('uploadId');
  switch (method) {
    case 'PUT':
      if (upload && query.has('partNumber')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      return copySource ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      return upload ? 'CompleteMultipartUpload' : 'Unknown';
    case 'DELETE':
      return upload ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'GET':
      return upload ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      return 'Unknown';
  }
}

/**
 * @example
 * ```ts
 * recognise('PUT', '/b/k.bin?partNumber=3&uploadId=x', {}); // { operation: 'UploadPart', bucket: 'b', key: 'k.bin', partNumber: 3, uploadId: 'x' }
 * ```
 */
export function recognise(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
): S3Request {
  const parsed = new URL(url, 'http://proxy.invalid');
  const query = parsed.searchParams;
  const [bucketPart = '', ...keyParts] = parsed.pathname.slice(1).split('/');
  const bucket = decodeURIComponent(bucketPart);
  const key = keyParts.length > 0 ? keyParts.map(decodeURIComponent).join('/') : '';
  if (bucket === '') return { operation: method === 'GET' ? 'ListBuckets' : 'Unknown' };
  if (key === '') return { operation: bucketOperation(method, query), bucket };
  const operation = objectOperation(method, query, headers['x-amz-copy-source'] !== undefined);
  const partNumber = query.get('partNumber');
  const uploadId = query.get('uploadId');
  return {
    operation,
    bucket,
    key,
    ...(partNumber === null ? {} : { partNumber: Number(partNumber) }),
    ...(uploadId === null ? {} : { uploadId }),
  };
}
