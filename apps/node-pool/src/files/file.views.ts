import { ApiProperty } from '@nestjs/swagger';
import { type FileView, type Page } from '@hivemind/contracts';
import { type StoredFile } from '../storage/stored-file.entity';

export class FileResponse implements FileView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) task_id!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the shard an output belongs to' })
  shard_index!: number | null;
  @ApiProperty({ enum: ['input', 'output', 'result', 'log'] }) kind!: FileView['kind'];
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'the attempt that uploaded an output',
  })
  attempt_id!: string | null;
  @ApiProperty({ description: 'an output that is its shard’s result (the canonical attempt’s)' })
  canonical!: boolean;
  @ApiProperty({ description: 'the uploaded name, or an output’s path under /workspace/output' })
  name!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ type: String, nullable: true }) content_type!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class FilePageResponse implements Page<FileView> {
  @ApiProperty({ type: [FileResponse] }) items!: FileResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class TaskFilesResponse {
  @ApiProperty({ type: [FileResponse] }) items!: FileResponse[];
}

/** A `files` row as the API shows it (`shard` loaded with its index and output, when the file has one). */
export function toFileView(file: StoredFile): FileView {
  return {
    id: file.id,
    task_id: file.taskId,
    shard_index: file.shard?.shardIndex ?? null,
    kind: file.kind,
    attempt_id: file.attemptId,
    canonical: file.kind === 'output' && file.shard?.outputFileId === file.id,
    name: file.name,
    sha256: file.sha256,
    size_bytes: file.sizeBytes,
    content_type: file.contentType,
    created_at: file.createdAt.toISOString(),
  };
}
