/**
 * Ids to pick from at random, each once, removed in constant time (the last one takes the
 * removed one's place): a 10M-event history has hundreds of thousands of partnerships.
 */
export class PickList {
  private readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  get items(): readonly string[] {
    return this.list;
  }

  get length(): number {
    return this.list.length;
  }

  push(item: string): void {
    if (this.index.has(item)) return;
    this.index.set(item, this.list.length);
    this.list.push(item);
  }

  remove(item: string): void {
    const at = this.index.get(item);
    if (at === undefined) return;
    const last = this.list.pop()!;
    this.index.delete(item);
    if (last === item) return;
    this.list[at] = last;
    this.index.set(last, at);
  }
}
